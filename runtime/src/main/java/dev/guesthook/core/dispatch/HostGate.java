package dev.guesthook.core.dispatch;

import dev.guesthook.host.CallsGivenUp;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * When one hook's calls may reach the host: while its handler runs, and while the rollback runs one
 * of its undo steps, on whatever threads they use. Otherwise a call is refused: a thread the hook
 * left running would act after the phase answered and the guest's lock was free, in no recording. A
 * call let through before the gate closed (a slow sysfs write, a device operation's steps under its
 * lock) goes on to its end, and closing waits for it, so it ends inside the phase and is recorded
 * there.
 */
final class HostGate {
  private boolean handlerOpen = true;
  private int undoSteps;
  private String closedBecause = "";

  /** Threads with calls under way, and how many each (a device operation holds its host calls). */
  private final Map<Thread, Integer> inside = new HashMap<>();

  /**
   * Threads whose call was under way when its step was given up on (its timeout): refused in the
   * rest of that call (a device operation's further host calls), until it ends. Not longer: phase
   * threads and pool workers are reused, by this hook's undo steps and by other guests' phases.
   */
  private final Set<Thread> givenUp = new HashSet<>();

  private String givenUpBecause = "";

  /** Lets the calling thread's call through, or says why not. */
  synchronized Optional<String> enter() {
    Thread caller = Thread.currentThread();
    if (givenUp.contains(caller)) {
      return Optional.of(givenUpBecause);
    }
    if (!isOpen() && !inside.containsKey(caller)) {
      return Optional.of(closedBecause);
    }
    inside.merge(caller, 1, Integer::sum);
    return Optional.empty();
  }

  synchronized void leave() {
    Thread caller = Thread.currentThread();
    inside.computeIfPresent(caller, (thread, calls) -> calls == 1 ? null : calls - 1);
    if (!inside.containsKey(caller) && givenUp.remove(caller)) {
      CallsGivenUp.clear(caller); // the thread's next call, another guest's maybe, is not given up
    }
    if (!awaited()) {
      notifyAll();
    }
  }

  /** The handler has ended or was given up on: calls from now on are refused, saying why. */
  synchronized void closeHandler(String because) {
    if (handlerOpen) {
      handlerOpen = false;
      closedBecause = because;
    }
  }

  synchronized void openForUndoStep() {
    undoSteps++;
  }

  synchronized void closeAfterUndoStep() {
    undoSteps--;
  }

  /**
   * Waits, once closed, for the calls under way to end, but not for those given up on at a timeout
   * (each undo step of a timed-out hook waited out its own timeout for the handler's given-up call,
   * and was reported failed); interrupted (the step's timeout), leaves them to the watchdog and
   * keeps the interrupt.
   */
  synchronized void awaitCallsUnderWay() {
    try {
      while (!isOpen() && awaited()) {
        wait();
      }
    } catch (InterruptedException giveUp) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The step was given up on at its timeout: the calls under way are refused from now on, even
   * inside a device operation, so it fails at its next host call and lets go of its device's lock
   * (a pre-start's settle then puts the device back from the journal), and what they block in (a
   * command, a risky write's wait, a slow write) ends now ({@link CallsGivenUp}), so a pool worker
   * is free again for other guests' hooks: left to its slow call, one guest's given-up tasks held
   * the shared pool's workers, and another guest's hook waiting on the pool timed out. Marked and
   * cleared under this gate's lock, so the mark never outlives the call. Their threads are
   * returned, for their kernel writes to be given up on.
   */
  synchronized List<Thread> giveUpOnCallsUnderWay(String because) {
    givenUp.addAll(inside.keySet());
    inside.keySet().forEach(CallsGivenUp::mark);
    givenUpBecause = because;
    return List.copyOf(inside.keySet());
  }

  /** Whether a call not given up on is under way. */
  private boolean awaited() {
    return !givenUp.containsAll(inside.keySet());
  }

  private boolean isOpen() {
    return handlerOpen || undoSteps > 0;
  }
}
