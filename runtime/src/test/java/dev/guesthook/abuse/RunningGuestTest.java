package dev.guesthook.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.RunningQemu;
import dev.guesthook.testsupport.SandboxSnapshot;
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
 * Phases run by hand for a VM whose QEMU runs (the README's own {@code guesthook --json 101
 * post-stop}): post-stop would take the VF from under QEMU, a second pre-start would save the
 * guest's devices as "before". Both are refused, with nothing changed, unless --force.
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
    List<String> all =
        new ArrayList<>(
            List.of("--root", root.toString(), "--simulate", "--hooks", STOCK.toString()));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  /**
   * Runs the command, which must be refused (exit 2) with every one of {@code says} and nothing
   * changed.
   */
  private void assertRefused(List<String> command, String... says) {
    SandboxSnapshot running = SandboxSnapshot.of(root);
    Cli.Result refused = guesthook(command.toArray(String[]::new));
    assertEquals(ExitCodes.USAGE, refused.exitCode(), refused::toString);
    for (String part : says) {
      assertTrue(refused.err().contains(part), () -> "no '" + part + "' in " + refused);
    }
    SandboxSnapshot.of(root).assertSameAs(running, "a refused " + String.join(" ", command));
  }

  @Test
  void aPostStopUnderTheRunningQemuIsRefusedAndChangesNothing() {
    assertRefused(
        List.of("--json", "501", "post-stop"),
        "VM 501 is running",
        "post-stop refused, nothing changed",
        "--force");
  }

  @Test
  void aSecondPreStartIsRefusedAndKeepsTheSavedBeforeState() {
    assertRefused(List.of("501", "pre-start"), "VM 501 is running");
  }

  @Test
  void withForceThePostStopRunsAndPutsTheVfBack() throws Exception {
    Cli.Result stop = guesthook("--force", "501", "post-stop");
    assertEquals(ExitCodes.OK, stop.exitCode(), stop::toString);
    assertTrue(stop.out().contains("back to iavf"), stop::toString);
    assertTrue(
        stop.out()
            .contains(
                "guesthook: --force: VM 501 is running (its QEMU holds /var/run/qemu-server/501.pid);"
                    + " post-stop goes on as asked"),
        stop::toString);
    try (var onVfio = Files.list(root.resolve("sys/bus/pci/drivers/vfio-pci"))) {
      assertEquals(
          List.of(),
          onVfio.filter(link -> link.getFileName().toString().startsWith("0000:03:02.")).toList());
    }
    assertTrue(
        Files.notExists(root.resolve("run/guesthook/state/501")), "the saved state is used up");
  }

  @Test
  void aPidFileNamingAnotherProgramIsNotARunningVm() throws Exception {
    RunningQemu.end(root, 501, QEMU_PID);
    RunningQemu.plantStale(root, 501, QEMU_PID);
    // The node rebooted since that pre-start: the start is not under way, only the stale pid file
    // says "running".
    Files.writeString(
        root.resolve("proc/stat"),
        "cpu  1 2 3\nbtime " + (Instant.now().getEpochSecond() + 1) + "\n");
    Cli.Result reconcile = guesthook("--json", "reconcile");
    assertEquals(ExitCodes.OK, reconcile.exitCode(), reconcile::toString);
    assertEquals(
        "reconciled",
        reconcile.json().get("guests").get(0).get("status").asText(),
        reconcile::toString);
    Cli.Result stop = guesthook("501", "post-stop");
    assertEquals(ExitCodes.OK, stop.exitCode(), stop::toString);
  }

  /**
   * qemu-server reads the pid file's first line only: with more after it (a second line, a NUL),
   * the VM still runs for Proxmox, and so for guesthook. Before, the whole file was read, the pid
   * did not match, and post-stop took the VF from the running QEMU.
   */
  @ParameterizedTest
  @ValueSource(strings = {"4242\n4242\n", "4242\n\0"})
  void onlyThePidFilesFirstLineCountsAsQemuServerReadsIt(String pidFile) throws Exception {
    Files.writeString(root.resolve("run/qemu-server/501.pid"), pidFile);
    assertRefused(
        List.of("501", "post-stop"),
        "VM 501 is running (its QEMU holds /var/run/qemu-server/501.pid)");
  }

  /**
   * A pid file guesthook cannot read as a file: it cannot tell, so it refuses (exit 2, not an
   * internal error).
   */
  @Test
  void aPidFileThatIsNoFileIsRefusedAsPossiblyRunning() throws Exception {
    Path pidFile = root.resolve("run/qemu-server/501.pid");
    Files.delete(pidFile);
    Files.createDirectory(pidFile);
    assertRefused(
        List.of("501", "post-stop"),
        "VM 501 is running (its pid file cannot be read (",
        "so guesthook cannot tell whether its QEMU runs): post-stop refused, nothing changed",
        "Fix: if no QEMU of VM 501 runs, remove /run/qemu-server/501.pid, or add --force");
  }
}
