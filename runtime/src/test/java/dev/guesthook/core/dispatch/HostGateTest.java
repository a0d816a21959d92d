package dev.guesthook.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.CallsGivenUp;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When one hook's calls may reach the host, on threads that phases and pools reuse. */
class HostGateTest {
  /**
   * A call under way when its step is given up on is refused for the rest of it; its thread is not.
   * Phase threads and pool workers are reused: one given up on in a handler's call ran the same
   * hook's later undo step, which was refused, and the rollback left the device changed (adversary
   * pass).
   */
  @Test
  void aThreadGivenUpOnInOneCallIsLetThroughInALaterUndoStep() {
    HostGate gate = new HostGate();
    assertEquals(Optional.empty(), gate.enter(), "the handler's call");
    gate.closeHandler("abandoned");
    assertEquals(List.of(Thread.currentThread()), gate.giveUpOnCallsUnderWay("abandoned"));
    assertEquals(Optional.of("abandoned"), gate.enter(), "the rest of that call");
    gate.leave();

    gate.openForUndoStep();
    assertEquals(Optional.empty(), gate.enter(), "the same thread in the undo step");
    gate.leave();
    gate.closeAfterUndoStep();
    assertEquals(Optional.of("abandoned"), gate.enter(), "and closed after it");
  }

  /**
   * Closing waits for the calls under way, not for those given up on: every undo step of a hook
   * given up on in a slow call waited out its own timeout for that call, and was reported failed
   * though it had put the device back (adversary pass).
   */
  @Test
  void closingDoesNotWaitForACallGivenUpOn() throws Exception {
    HostGate gate = new HostGate();
    java.util.concurrent.CountDownLatch inCall = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch end = new java.util.concurrent.CountDownLatch(1);
    Thread slow =
        new Thread(
            () -> {
              gate.enter();
              inCall.countDown();
              try {
                end.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              gate.leave();
            });
    slow.start();
    inCall.await();
    gate.closeHandler("abandoned");
    gate.giveUpOnCallsUnderWay("abandoned");

    gate.openForUndoStep();
    gate.closeAfterUndoStep();
    Thread endsInASecond =
        new Thread(
            () -> {
              try {
                Thread.sleep(1_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              end.countDown();
            });
    endsInASecond.start();
    long start = System.nanoTime();
    gate.awaitCallsUnderWay();
    long waitedMillis = (System.nanoTime() - start) / 1_000_000;
    slow.join();
    assertTrue(waitedMillis < 500, "waited " + waitedMillis + " ms for a call given up on");
  }

  /**
   * A call given up on is told so without an interrupt, and only while it lasts: an interrupt
   * cannot be told from anyone else's. Left pending it carried into a pool worker's next task
   * (another guest's), cleared after the call it swallowed the hook's own interrupt of that thread,
   * and delivered it closed the journal's file channel the call was writing (adversary passes).
   */
  @Test
  void aCallGivenUpOnIsToldSoWithoutAnInterruptAndOnlyWhileItLasts() throws Exception {
    HostGate gate = new HostGate();
    java.util.concurrent.CountDownLatch inCall = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch givenUp = new java.util.concurrent.CountDownLatch(1);
    List<Boolean> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    Thread worker =
        new Thread(
            () -> {
              gate.enter();
              inCall.countDown();
              try {
                givenUp.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              seen.add(CallsGivenUp.ofCurrentThread());
              Thread.currentThread().interrupt(); // the hook's own, as an undo step stopping it
              gate.leave();
              seen.add(CallsGivenUp.ofCurrentThread());
              seen.add(Thread.currentThread().isInterrupted());
            });
    worker.start();
    inCall.await();
    gate.closeHandler("abandoned");
    gate.giveUpOnCallsUnderWay("abandoned");
    boolean interruptedByTheGate = worker.isInterrupted();
    givenUp.countDown();
    worker.join();

    assertFalse(interruptedByTheGate, "no interrupt from the gate");
    assertEquals(
        List.of(true, false, true),
        seen,
        "given up while in the call, not after it; the hook's own interrupt kept");
  }
}
