package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.host.sim.Faults;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.SandboxSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kernel write that never returns (a GPU's driver stuck in its unbind, a probe that never ends)
 * fails the phase at its hook's timeout, frees the guest's lock, and marks the device wedged, so no
 * later write is sent into the same hang: it is refused at once, changing nothing, until {@code
 * guesthook wedged --clear}. Before, the write held the hook's thread for ever, and the next phase
 * wrote to the device again.
 */
class HungKernelWriteTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();
  static final String GPU = "0000:0b:00.0";
  static final String HOST_DRIVER_UNBIND = "/sys/bus/pci/drivers/amdgpu/unbind";

  /**
   * The hook's timeout is 1 s and a hung write never returns: an answer within this bound did not
   * wait for it (the first phase of a test run also compiles the stock hooks on a cold JVM).
   */
  static final long ANSWER_BOUND_MILLIS = 30_000;

  @TempDir Path base;
  Path root;
  Faults faults;

  @BeforeEach
  void aGpuSharedWithTheHost() throws Exception {
    root = base.resolve("root");
    Sandbox.create(root, SandboxProfile.GPU_PASSTHROUGH);
    faults = Faults.ofSandbox(root).orElseThrow();
  }

  @Test
  void aHungUnbindAtPreStartFailsThePhaseAtItsTimeoutAndMarksTheDevice() {
    faults.hangWrite(HOST_DRIVER_UNBIND, 1);

    Cli.Result start = timed(List.of("601", "pre-start"));
    assertEquals(1, start.exitCode(), start::toString);
    String said = start.out() + start.err();
    assertTrue(said.contains("stuck in kernel write 'unbind'"), start::toString);
    assertTrue(said.contains(HOST_DRIVER_UNBIND + " <- " + GPU), start::toString);
    assertTrue(said.contains("device " + GPU + " is marked wedged"), start::toString);

    JsonNode wedged = timed(List.of("--json", "wedged")).json().get("wedged");
    assertEquals(1, wedged.size(), wedged::toString);
    assertEquals(GPU, wedged.get(0).get("device").asText());
    assertEquals(HOST_DRIVER_UNBIND, wedged.get(0).get("path").asText());

    Cli.Result doctor = timed(List.of("doctor"));
    assertTrue(said(doctor).contains("device " + GPU), doctor::toString);

    Cli.Result stop = timed(List.of("601", "post-stop"));
    assertEquals(0, stop.exitCode(), () -> "the guest's lock was free: " + stop);
  }

  @Test
  void aLaterWriteToAWedgedDeviceIsRefusedAtOnceAndChangesNothing() {
    faults.hangWrite(HOST_DRIVER_UNBIND, 1);
    timed(List.of("601", "pre-start"));
    timed(List.of("601", "post-stop"));
    SandboxSnapshot before = SandboxSnapshot.of(root);

    Cli.Result again = timed(List.of("601", "pre-start"));

    assertEquals(1, again.exitCode(), again::toString);
    String said = said(again);
    assertTrue(said.contains("device " + GPU + " is wedged: write 'unbind'"), again::toString);
    assertTrue(said.contains("nothing was written"), again::toString);
    assertTrue(said.contains("guesthook wedged --clear " + GPU), again::toString);
    SandboxSnapshot.of(root).assertSameAs(before, "a pre-start refused on a wedged device");
  }

  @Test
  void aHungProbeHandingTheGpuBackAtPostStopFailsThePhaseAndMarksTheDevice() {
    assertEquals(0, timed(List.of("601", "pre-start")).exitCode());
    faults.hangWrite("/sys/bus/pci/drivers_probe", 1);

    Cli.Result stop = timed(List.of("601", "post-stop"));

    String said = said(stop);
    assertTrue(said.contains("post-stop: 1 of 4 hooks failed (reported only)"), stop::toString);
    assertTrue(said.contains("stuck in kernel write 'drivers_probe'"), stop::toString);
    assertTrue(said.contains("device " + GPU + " is marked wedged"), stop::toString);
    Cli.Result start = timed(List.of("601", "pre-start"));
    // The health gate refuses it first, reading nothing from the device.
    assertTrue(
        said(start).contains(GPU + " (whole device of hostpci0): wedged: write 'drivers_probe'"),
        start::toString);
  }

  @Test
  void reconcileGivesUpAtOnceOnAWedgedDevice() {
    faults.hangWrite(HOST_DRIVER_UNBIND, 1);
    timed(List.of("601", "pre-start"));

    Cli.Result reconcile = timed(List.of("reconcile"));

    assertTrue(said(reconcile).contains("is wedged"), reconcile::toString);
  }

  @Test
  void clearingTheMarkLetsWritesThroughAgain() throws Exception {
    faults.hangWrite(HOST_DRIVER_UNBIND, 1);
    timed(List.of("601", "pre-start"));
    faults.releaseHangs(); // the admin dealt with it: the driver let go
    Thread.sleep(200);

    Cli.Result cleared = timed(List.of("wedged", "--clear", GPU));
    assertEquals(0, cleared.exitCode(), cleared::toString);
    assertTrue(cleared.out().contains(GPU + ": mark cleared"), cleared::toString);
    assertEquals(1, timed(List.of("wedged", "--clear", GPU)).exitCode());
    assertEquals(2, timed(List.of("wedged", "--clear", "../x")).exitCode());
    assertTrue(Files.notExists(root.resolve("run/guesthook/wedged/" + GPU + ".json")));
  }

  /**
   * A mark cut short (a full /run, a kill between the file's creation and its write) or a folder in
   * its place still marks its device, and the commands the admin is told to use list it. Before,
   * `wedged`, `wedged --json` and `doctor` ended in an internal error (exit 3), listing nothing.
   */
  @Test
  void aMarkThatCannotBeReadStillMarksItsDeviceAndIsListedToBeCleared() throws Exception {
    Path marks = Files.createDirectories(root.resolve("run/guesthook/wedged"));
    Files.writeString(marks.resolve(GPU + ".json"), "");
    Files.createDirectories(marks.resolve("0000:03:00.0.json"));

    Cli.Result listed = timed(List.of("wedged"));
    assertEquals(1, listed.exitCode(), listed::toString);
    assertTrue(listed.out().contains(GPU + ": its mark "), listed::toString);
    assertTrue(listed.out().contains("0000:03:00.0: its mark "), listed::toString);
    assertTrue(listed.out().contains("guesthook wedged --clear " + GPU), listed::toString);
    assertEquals(2, timed(List.of("--json", "wedged")).json().get("wedged").size());
    Cli.Result doctor = timed(List.of("doctor"));
    assertTrue(said(doctor).contains("wedged: its mark"), doctor::toString);
    SandboxSnapshot before = SandboxSnapshot.of(root);
    Cli.Result start = timed(List.of("601", "pre-start"));
    // The health gate refuses it first, reading nothing from the device.
    assertTrue(
        said(start).contains(GPU + " (whole device of hostpci0): wedged: its mark "),
        start::toString);
    SandboxSnapshot.of(root).assertSameAs(before, "a pre-start refused on an unreadable mark");

    assertEquals(0, timed(List.of("wedged", "--clear", GPU)).exitCode());
    assertTrue(Files.notExists(marks.resolve(GPU + ".json")));
  }

  /** What a mark says reaches a terminal and the task log as text, not as control or new lines. */
  @Test
  void whatAMarkSaysIsPrintedAsText() throws Exception {
    Path marks = Files.createDirectories(root.resolve("run/guesthook/wedged"));
    Files.writeString(
        marks.resolve(GPU + ".json"),
        "{\"device\":\""
            + GPU
            + "\",\"path\":\""
            + HOST_DRIVER_UNBIND
            + "\",\"value\":\""
            + GPU
            + "\\u001b[2J\\nguesthook: pre-start ok\",\"since\":\"x\",\"holder\":\"dd pid"
            + " 1\\u001b]0;title\\u0007\",\"pid\":1}\n");

    for (List<String> command : List.of(List.of("wedged"), List.of("601", "pre-start"))) {
      String said = said(timed(command));
      assertTrue(said.indexOf('\u001b') < 0, () -> command + ": " + said);
      assertTrue(!said.contains("\nguesthook: pre-start ok"), () -> command + ": " + said);
    }
  }

  private static String said(Cli.Result result) {
    return result.out() + result.err();
  }

  private Cli.Result timed(List<String> command) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                STOCK.toString(),
                "--hook-timeout",
                "1"));
    args.addAll(command);
    long start = System.nanoTime();
    Cli.Result result = Cli.run(args);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(
        millis < ANSWER_BOUND_MILLIS,
        () -> command + " answered after " + millis + " ms: " + result);
    return result;
  }
}
