package dev.guesthook.host;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The threads whose host call under way was given up on (its hook's timeout), so that what the call
 * blocks in (a command, the wait for a risky kernel write, the simulator's delay) ends early
 * without an interrupt. An interrupt cannot be told from anyone else's: one left pending carried
 * into the thread's next task (a pool worker's, another guest's hook), one cleared after the call
 * swallowed the hook's own interrupt of that thread, and one delivered closed the journal's file
 * channel the call was writing (adversary passes). Whoever gives a call up marks its thread, and
 * clears the mark when the thread leaves the call ({@code core.dispatch.HostGate}); a blocking
 * point waits in slices and looks between them ({@link #await}).
 */
public final class CallsGivenUp {
  /**
   * How often a blocking point looks: what a given-up call may still wait, at most. Each waiting
   * call wakes this often (10 ms cost 64 waiting commands 0.1 of a core; the watchdog itself looks
   * every 100 ms).
   */
  static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private static final Set<Thread> MARKED = ConcurrentHashMap.newKeySet();

  private CallsGivenUp() {}

  /** The call {@code thread} is in was given up on: its blocking waits end. */
  public static void mark(Thread thread) {
    MARKED.add(thread);
  }

  /** {@code thread} left the call given up on: its next call is its own. */
  public static void clear(Thread thread) {
    MARKED.remove(thread);
  }

  /** Whether the calling thread's call under way was given up on. */
  public static boolean ofCurrentThread() {
    return MARKED.contains(Thread.currentThread());
  }

  /** What a blocking point waits for, up to {@code nanos}: true once it is there. */
  @FunctionalInterface
  public interface Wait {
    boolean forUpTo(long nanos) throws InterruptedException;
  }

  /** How a wait of {@link #await} ended. */
  public enum Ended {
    DONE,
    TIMED_OUT,
    GIVEN_UP
  }

  /**
   * Waits up to {@code nanos} for {@code wait}, in slices, and stops once the calling thread's call
   * is given up on, after the first slice at the earliest: what was just started and ends at once
   * (a write that returns in a few milliseconds) is not given up on. A blocking point refuses to
   * start anything for a call given up on already ({@link #ofCurrentThread}). An interrupt is left
   * to the caller, as {@code wait} throws it.
   */
  public static Ended await(Wait wait, long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Ended.TIMED_OUT;
      }
      if (wait.forUpTo(Math.min(left, SLICE_NANOS))) {
        return Ended.DONE;
      }
      if (ofCurrentThread()) {
        return Ended.GIVEN_UP;
      }
    }
  }
}
