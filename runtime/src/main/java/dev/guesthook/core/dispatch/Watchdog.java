package dev.guesthook.core.dispatch;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Gives up on hooks and undo steps past their timeout. One thread looks at what it watches every
 * {@link #TICK_NANOS} while anything is watched, and sleeps when nothing has been for a tick: a
 * watch costs no wake-up of another thread (a Vert.x timer set and cancelled per hook woke the
 * event loop twice per hook, 4 of the 4.3 wake-ups it had per call), at the price of a timeout
 * noticed up to a tick late.
 */
final class Watchdog {
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final Watchdog INSTANCE = new Watchdog();

  /** One step's deadline and what to do when it passes. */
  static final class Watch {
    private final long deadline;
    private final Runnable expired;

    private Watch(long deadline, Runnable expired) {
      this.deadline = deadline;
      this.expired = expired;
    }
  }

  private final Set<Watch> watched = ConcurrentHashMap.newKeySet();
  private final Thread thread;
  private volatile boolean sleeping;

  private Watchdog() {
    thread = new Thread(this::watch, "guesthook-watchdog");
    thread.setDaemon(true);
    thread.start();
  }

  /** Runs {@code expired} on the watchdog's thread once the timeout passed, unless ended first. */
  static Watch start(long timeoutMillis, Runnable expired) {
    Watch watch =
        new Watch(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), expired);
    INSTANCE.add(watch);
    return watch;
  }

  /** The step ended: nothing to give up on. */
  static void end(Watch watch) {
    INSTANCE.watched.remove(watch);
  }

  private void add(Watch watch) {
    watched.add(watch);
    if (sleeping) {
      LockSupport.unpark(thread);
    }
  }

  private void watch() {
    boolean idleForATick = false;
    while (true) {
      long now = System.nanoTime();
      long next = now + TICK_NANOS;
      for (Watch watch : watched) {
        if (now - watch.deadline >= 0) {
          expire(watch);
        } else if (watch.deadline - next < 0) {
          next = watch.deadline;
        }
      }
      if (!watched.isEmpty() || !idleForATick) {
        idleForATick = watched.isEmpty();
        LockSupport.parkNanos(next - now);
        continue;
      }
      sleeping = true;
      if (watched.isEmpty()) {
        LockSupport.park();
      }
      sleeping = false;
      idleForATick = false;
    }
  }

  private void expire(Watch watch) {
    if (!watched.remove(watch)) {
      return;
    }
    try {
      watch.expired.run();
    } catch (RuntimeException | Error e) {
      // What gives up on a step records and hands on, and fails the phase itself if it cannot.
    }
  }
}
