package dev.guesthook.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
