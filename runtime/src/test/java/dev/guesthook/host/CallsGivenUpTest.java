package dev.guesthook.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.real.ProcessRunner;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a blocking point does for a call its hook's timeout gave up on: nothing new is started for
 * it, and what is under way ends, without an interrupt.
 */
class CallsGivenUpTest {
  static final HostPath NUMVFS = HostPath.parse("/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs");

  @TempDir Path root;

  @AfterEach
  void unmark() {
    CallsGivenUp.clear(Thread.currentThread());
  }

  /**
   * Given up on before its risky write began, a call starts none: the write was sent, then given up
   * on at once, and the healthy device marked wedged with a message that it was stuck (adversary
   * pass).
   */
  @Test
  void aRiskyWriteOfACallGivenUpOnIsNotStarted() throws Exception {
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    SimulatedHost host = SimulatedHost.sandbox(root);
    CallsGivenUp.mark(Thread.currentThread());

    HostException refused = assertThrows(HostException.class, () -> host.write(NUMVFS, "2"));

    assertEquals("ECANCELED", refused.errno());
    assertTrue(refused.getMessage().contains("nothing written"), refused.getMessage());
    CallsGivenUp.clear(Thread.currentThread());
    Thread.sleep(200);
    assertEquals("0", host.read(NUMVFS).trim(), "no VF made");
    assertTrue(new WedgedDevices(host).find("0000:03:00.0").isEmpty(), "the PF not marked wedged");
  }

  /** Nor a command: started, it was killed part-way, a helper script's change half made. */
  @Test
  void aCommandOfACallGivenUpOnIsNotStarted() {
    Path ran = root.resolve("ran");
    CallsGivenUp.mark(Thread.currentThread());

    HostException refused =
        assertThrows(
            HostException.class,
            () ->
                new ProcessRunner()
                    .run(HostCommand.of("sh", "-c", "echo started > '" + ran + "'")));

    assertEquals("ECANCELED", refused.errno());
    assertTrue(refused.getMessage().contains("nothing run"), refused.getMessage());
    assertFalse(Files.exists(ran), "the command did not run");
  }

  /**
   * A wait ends within about a slice once its call is given up on, but what ends in its first slice
   * (a write that returns at once) is taken, not given up on.
   */
  @Test
  void aWaitEndsSoonOnceGivenUpButWhatEndsAtOnceIsTaken() throws Exception {
    CallsGivenUp.mark(Thread.currentThread());

    assertEquals(CallsGivenUp.Ended.DONE, CallsGivenUp.await(nanos -> true, 1_000_000_000L));
    long start = System.nanoTime();
    CallsGivenUp.Ended how =
        CallsGivenUp.await(
            nanos -> {
              TimeUnit.NANOSECONDS.sleep(nanos);
              return false;
            },
            TimeUnit.SECONDS.toNanos(10));
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;

    assertEquals(CallsGivenUp.Ended.GIVEN_UP, how);
    assertTrue(waitedMillis < 1_000, "waited " + waitedMillis + " ms of 10 s");
    assertFalse(Thread.currentThread().isInterrupted(), "no interrupt");
  }
}
