package dev.guesthook.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.cli.ExitCodes;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testkit.Cli;
import dev.guesthook.testkit.RunningQemu;
import dev.guesthook.testkit.SandboxSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Phases run by hand for a VM whose QEMU runs (the README's own {@code guesthook --json 101 post-stop}):
 * post-stop would take the VF from under QEMU, a second pre-start would save the guest's devices as
 * "before". Both are refused, with nothing changed, unless --force.
 */
class RunningGuestTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();
  static final int QEMU_PID = 4242;

  @TempDir Path root;

  @BeforeEach
  void vm501StartedAndRunning() throws Exception {
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    Cli.Result start = guesthook("501", "pre-start");
    assertEquals(ExitCodes.OK, start.exitCode(), start::toString);
    RunningQemu.plant(root, 501, QEMU_PID);
  }

  private Cli.Result guesthook(String... args) {
    List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--simulate", "--hooks", STOCK.toString()));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  @Test
  void aPostStopUnderTheRunningQemuIsRefusedAndChangesNothing() {
    SandboxSnapshot running = SandboxSnapshot.of(root);
    Cli.Result stop = guesthook("--json", "501", "post-stop");
    assertEquals(ExitCodes.USAGE, stop.exitCode(), stop::toString);
    assertTrue(stop.err().contains("VM 501 is running") && stop.err().contains("post-stop refused, nothing changed")
        && stop.err().contains("--force"), stop::toString);
    SandboxSnapshot.of(root).assertSameAs(running, "a refused post-stop");
  }

  @Test
  void aSecondPreStartIsRefusedAndKeepsTheSavedBeforeState() {
    SandboxSnapshot running = SandboxSnapshot.of(root);
    Cli.Result again = guesthook("501", "pre-start");
    assertEquals(ExitCodes.USAGE, again.exitCode(), again::toString);
    assertTrue(again.err().contains("VM 501 is running"), again::toString);
    SandboxSnapshot.of(root).assertSameAs(running, "a refused second pre-start");
  }

  @Test
  void withForceThePostStopRunsAndPutsTheVfBack() throws Exception {
    Cli.Result stop = guesthook("--force", "501", "post-stop");
    assertEquals(ExitCodes.OK, stop.exitCode(), stop::toString);
    assertTrue(stop.out().contains("back to iavf"), stop::toString);
    assertTrue(stop.out().contains("guesthook: --force: VM 501 is running (its QEMU holds /var/run/qemu-server/501.pid);"
        + " post-stop goes on as asked"), stop::toString);
    try (var onVfio = Files.list(root.resolve("sys/bus/pci/drivers/vfio-pci"))) {
      assertEquals(List.of(), onVfio.filter(link -> link.getFileName().toString().startsWith("0000:03:02.")).toList());
    }
    assertTrue(Files.notExists(root.resolve("run/guesthook/state/501")), "the saved state is used up");
  }

  @Test
  void aPidFileNamingAnotherProgramIsNotARunningVm() throws Exception {
    RunningQemu.end(root, 501, QEMU_PID);
    RunningQemu.plantStale(root, 501, QEMU_PID);
    // The node rebooted since that pre-start: the start is not under way, only the stale pid file says "running".
    Files.writeString(root.resolve("proc/stat"), "cpu  1 2 3\nbtime " + (Instant.now().getEpochSecond() + 1) + "\n");
    Cli.Result reconcile = guesthook("--json", "reconcile");
    assertEquals(ExitCodes.OK, reconcile.exitCode(), reconcile::toString);
    assertEquals("reconciled", reconcile.json().get("guests").get(0).get("status").asText(), reconcile::toString);
    Cli.Result stop = guesthook("501", "post-stop");
    assertEquals(ExitCodes.OK, stop.exitCode(), stop::toString);
  }

  /**
   * qemu-server reads the pid file's first line only: with more after it (a second line, a NUL), the
   * VM still runs for Proxmox, and so for guesthook. Before, the whole file was read, the pid did not
   * match, and post-stop took the VF from the running QEMU.
   */
  @ParameterizedTest
  @ValueSource(strings = {"4242\n4242\n", "4242\n\0"})
  void onlyThePidFilesFirstLineCountsAsQemuServerReadsIt(String pidFile) throws Exception {
    Files.writeString(root.resolve("run/qemu-server/501.pid"), pidFile);
    SandboxSnapshot running = SandboxSnapshot.of(root);
    Cli.Result stop = guesthook("501", "post-stop");
    assertEquals(ExitCodes.USAGE, stop.exitCode(), stop::toString);
    assertTrue(stop.err().contains("VM 501 is running (its QEMU holds /var/run/qemu-server/501.pid)"), stop::toString);
    SandboxSnapshot.of(root).assertSameAs(running, "a refused post-stop");
  }

  /** A pid file guesthook cannot read as a file: it cannot tell, so it refuses (exit 2, not an internal error). */
  @Test
  void aPidFileThatIsNoFileIsRefusedAsPossiblyRunning() throws Exception {
    Path pidFile = root.resolve("run/qemu-server/501.pid");
    Files.delete(pidFile);
    Files.createDirectory(pidFile);
    SandboxSnapshot running = SandboxSnapshot.of(root);
    Cli.Result stop = guesthook("501", "post-stop");
    assertEquals(ExitCodes.USAGE, stop.exitCode(), stop::toString);
    assertTrue(stop.err().contains("VM 501 is running (its pid file cannot be read (")
        && stop.err().contains("so guesthook cannot tell whether its QEMU runs): post-stop refused, nothing changed")
        && stop.err().contains("Fix: if no QEMU of VM 501 runs, remove /var/run/qemu-server/501.pid, or add --force"),
        stop::toString);
    SandboxSnapshot.of(root).assertSameAs(running, "a refused post-stop");
  }
}
