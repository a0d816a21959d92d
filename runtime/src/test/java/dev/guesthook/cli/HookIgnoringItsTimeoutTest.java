package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook or an undo step that will not stop (it swallows the interrupt, or waits in a call that
 * ignores it, as a write to a wedged device does) fails the phase at its timeout: Proxmox gets its
 * answer and the guest's lock is free for the next phase. Before, the answer waited for the hook.
 */
class HookIgnoringItsTimeoutTest {
  /** Far past the 1 s timeout: a phase that waits for it fails the bound below. */
  static final int STUBBORN_SECONDS = 20;

  static final long ANSWER_BOUND_MILLIS = 8_000;

  @TempDir Path base;
  Path root;
  Path hooks;

  @BeforeEach
  void aSandboxWithAGuestOfItsOwn() throws Exception {
    root = base.resolve("root");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    Files.writeString(root.resolve("etc/pve/qemu-server/709.conf"), "memory: 512\nname: t\n");
    hooks = Files.createDirectories(base.resolve("hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @Test
  void aHookWaitingInACallThatIgnoresInterruptsFailsThePhaseAtItsTimeoutAndFreesTheGuest()
      throws Exception {
    hook("on('pre-start') { ev -> " + uninterruptible() + " }");
    Cli.Result start = timed("pre-start");
    assertEquals(1, start.exitCode(), start::toString);
    assertTrue(start.err().contains("TIMEOUT") || start.out().contains("TIMEOUT"), start::toString);

    Cli.Result stop = timed("post-stop");
    assertEquals(0, stop.exitCode(), () -> "the guest's lock was free: " + stop);
  }

  @Test
  void anUndoStepSwallowingItsInterruptFailsAtItsTimeoutAndThePhaseAnswers() throws Exception {
    hook(
        "on('pre-start') { ev -> undo('stubborn undo') { "
            + stubborn()
            + " }; throw new RuntimeException('fail on purpose') }");
    Cli.Result start = timed("pre-start");
    assertEquals(1, start.exitCode(), start::toString);
    String said = start.out() + start.err();
    assertTrue(said.contains("undo 'stubborn undo' timed out"), start::toString);
  }

  /**
   * The rollback gave up on the step: from then on the step must not act on the host. Before, a
   * step that swallowed its interrupt kept writing after the phase had answered and the guest's
   * lock was free, racing the guest's next phase.
   */
  @Test
  void anUndoStepGivenUpOnActsNoMoreOnTheHost() throws Exception {
    hook(
        "on('pre-start') { ev -> undo('stubborn undo') { int n = 0; long end = System.nanoTime() + "
            + STUBBORN_SECONDS
            + "_000_000_000L; while (System.nanoTime() < end) { write '/etc/undo-count',"
            + " String.valueOf(++n); try { Thread.sleep(100) } catch (Throwable ignored) { } } };"
            + " throw new RuntimeException('fail on purpose') }");
    Cli.Result start = timed("pre-start");
    assertEquals(1, start.exitCode(), start::toString);

    Path count = root.resolve("etc/undo-count");
    Thread.sleep(1_000);
    String afterAnswer = Files.readString(count);
    Thread.sleep(1_000);
    assertEquals(
        afterAnswer, Files.readString(count), "the undo step went on writing after its timeout");
  }

  private void hook(String body) throws Exception {
    Path file = hooks.resolve("stubborn.groovy");
    Files.writeString(file, "hook('stubborn') {\n  timeout 1\n  " + body + "\n}\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
  }

  /**
   * Waits in a Java call that ignores interrupts (a lock another thread holds), as a hook does in a
   * write to a wedged device: nothing in the hook's own code can notice it was given up on.
   */
  private static String uninterruptible() {
    return "def held = new java.util.concurrent.locks.ReentrantLock(); def taken = new"
        + " java.util.concurrent.CountDownLatch(1); Thread.start { held.lock(); taken.countDown();"
        + " Thread.sleep("
        + STUBBORN_SECONDS
        + "_000L); held.unlock() }; taken.await(); held.lock()";
  }

  /** Sleeps in steps, catching every interrupt, for far longer than the hook's timeout. */
  private static String stubborn() {
    return "long end = System.nanoTime() + "
        + STUBBORN_SECONDS
        + "_000_000_000L; while (System.nanoTime() < end) { try { Thread.sleep(100) } catch"
        + " (Throwable ignored) { } }";
  }

  private Cli.Result timed(String phase) {
    long start = System.nanoTime();
    Cli.Result result =
        Cli.run(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                hooks.toString(),
                "709",
                phase));
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(
        millis < ANSWER_BOUND_MILLIS, () -> phase + " answered after " + millis + " ms: " + result);
    return result;
  }
}
