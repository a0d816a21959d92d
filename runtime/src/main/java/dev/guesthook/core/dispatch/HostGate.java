package dev.guesthook.core.dispatch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

  /** Lets the calling thread's call through, or says why not. */
  synchronized Optional<String> enter() {
    Thread caller = Thread.currentThread();
    if (!isOpen() && !inside.containsKey(caller)) {
      return Optional.of(closedBecause);
    }
    inside.merge(caller, 1, Integer::sum);
    return Optional.empty();
  }

  synchronized void leave() {
    inside.computeIfPresent(
        Thread.currentThread(), (thread, calls) -> calls == 1 ? null : calls - 1);
    if (inside.isEmpty()) {
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
   * Waits, once closed, for the calls under way to end; interrupted (the step's timeout), leaves
   * them to the watchdog and keeps the interrupt.
   */
  synchronized void awaitCallsUnderWay() {
    try {
      while (!isOpen() && !inside.isEmpty()) {
        wait();
      }
    } catch (InterruptedException giveUp) {
      Thread.currentThread().interrupt();
    }
  }

  /** The threads with calls under way: what the watchdog gives up on at the step's timeout. */
  synchronized List<Thread> threadsInside() {
    return List.copyOf(inside.keySet());
  }

  private boolean isOpen() {
    return handlerOpen || undoSteps > 0;
  }
}
