package dev.guesthook.core.dispatch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The threads still running a step the watchdog abandoned at its timeout. A hook's own loops stop
 * at the next check the compiler put in them, but one blocked where no interrupt reaches (a lock
 * taken with {@code lock()}, a monitor) or looping inside library code keeps its thread, and its
 * core when it loops, for as long as the process lives: a resident runtime counts them, and stops
 * (for systemd to start a fresh one) before they add up.
 */
public final class AbandonedThreads {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Each abandoned step still running, with its thread and that thread's cpu at abandonment. */
  private static final Map<Object, Held> HELD = new ConcurrentHashMap<>();

  private record Held(Thread thread, long cpuNanosThen, long abandonedAtNanos) {}

  /**
   * How long an abandoned step may still run before it counts as held: a hook a little slower than
   * its timeout lets go within it (eight such at once stopped serve for nothing).
   */
  public static final Duration GRACE =
      Duration.ofSeconds(Long.getLong("guesthook.abandoned-grace-seconds", 30));

  private AbandonedThreads() {}

  /** On the watchdog's thread: {@code step}, running on {@code thread}, was abandoned. */
  static void abandoned(Object step, Thread thread, boolean alreadyLetGo) {
    HELD.put(step, new Held(thread, cpuNanos(thread), System.nanoTime()));
    if (alreadyLetGo) {
      HELD.remove(step); // it ended between the watchdog's take and this: nothing is held
    }
  }

  /** On the step's own thread: the abandoned step ended at last, and the thread is free again. */
  static void letGo(Object step) {
    HELD.remove(step);
  }

  /** How many threads still run a step that was abandoned more than {@link #GRACE} ago. */
  public static int held() {
    HELD.values().removeIf(held -> !held.thread().isAlive());
    long before = System.nanoTime() - GRACE.toNanos();
    return (int) HELD.values().stream().filter(held -> held.abandonedAtNanos() < before).count();
  }

  /** The most cpu one of them has burnt since it was abandoned. */
  public static long mostCpuSinceAbandonedMillis() {
    long most = 0;
    for (Held held : HELD.values()) {
      long now = cpuNanos(held.thread());
      if (now >= 0 && held.cpuNanosThen() >= 0) {
        most = Math.max(most, now - held.cpuNanosThen());
      }
    }
    return TimeUnit.NANOSECONDS.toMillis(most);
  }

  private static long cpuNanos(Thread thread) {
    try {
      return THREADS.getThreadCpuTime(thread.getId());
    } catch (UnsupportedOperationException e) {
      return -1;
    }
  }
}
