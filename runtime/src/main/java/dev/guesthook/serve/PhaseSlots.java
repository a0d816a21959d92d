package dev.guesthook.serve;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * How many phases {@code serve} has under way: up to a bound they start at once, past it they wait
 * in arrival order and each starts as one ends, on the thread that ended it. Starting a phase only
 * hands it on (to a phase thread), so no thread here ever waits for one: a phase is started by the
 * thread that read its request, or by the one that answered the phase before it.
 */
final class PhaseSlots {
  private final int max;
  private final Queue<Runnable> waiting = new ArrayDeque<>();
  private int taken;
  private boolean closed;

  PhaseSlots(int max) {
    this.max = max;
  }

  /** Starts the phase now if a slot is free, else once one is. */
  void start(Runnable phase) {
    synchronized (this) {
      if (closed) {
        throw new RejectedExecutionException("serve is stopping");
      }
      if (taken >= max) {
        waiting.add(phase);
        return;
      }
      taken++;
    }
    phase.run();
  }

  /** A phase has answered: its slot goes to the first one waiting, if any. */
  void ended() {
    Runnable next;
    synchronized (this) {
      next = waiting.poll();
      if (next == null) {
        taken--;
        notifyAll();
      }
    }
    if (next != null) {
      next.run();
    }
  }

  /** Takes no new phase; those under way and in line still run. */
  synchronized void close() {
    closed = true;
  }

  /** Waits until every phase under way or in line has answered, or the time is up. */
  synchronized boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
    long until = System.nanoTime() + unit.toNanos(timeout);
    while (taken > 0) {
      long left = until - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }
}
