package dev.guesthook.core.dispatch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The threads phases run on, from the guest's lock to the recording: one thread carries a phase
 * through its blocking steps and its hooks, so a phase costs one hand-off there and one back
 * instead of one per step and two per hook (on a shared 2-core VM, 19 context switches per call
 * through {@code serve} before, 1.35 ms of worker CPU). They are not Vert.x's shared worker pool: a
 * phase waiting for its guest's lock, or a hook blocking until its timeout, holds a thread of its
 * own and never the threads every other guest's phase needs (20 such waits used to stop every other
 * guest). Threads are made as phases need them and end after a minute idle; {@code serve} bounds
 * how many phases run at once.
 */
public final class PhaseThreads {
  private static final AtomicLong COUNT = new AtomicLong();
  private static final ThreadLocal<Boolean> IS_PHASE_THREAD = ThreadLocal.withInitial(() -> false);
  private static final ThreadLocal<List<Runnable>> NEXT = ThreadLocal.withInitial(ArrayList::new);
  private static final ThreadLocal<List<Runnable>> AFTERWARDS =
      ThreadLocal.withInitial(ArrayList::new);
  private static final ExecutorService THREADS =
      new ThreadPoolExecutor(
          0,
          Integer.MAX_VALUE,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          PhaseThreads::newThread);

  private PhaseThreads() {}

  /** Runs the work on a phase thread; the future completes there. */
  private static <T> Future<T> submit(Callable<T> work) {
    Promise<T> promise = Promise.promise();
    try {
      execute(() -> complete(promise, work));
    } catch (RuntimeException | Error notStarted) {
      promise.fail(notStarted);
    }
    return promise.future();
  }

  /**
   * Starts a phase on a phase thread: the chain {@code phase} builds runs there, on as it goes (its
   * blocking steps on the same thread, see {@link #onPhaseThread}); the future completes with the
   * chain's. Started from a phase thread (a phase that has answered hands its slot to the next in
   * line), it runs on that thread once its work is done, its {@link #afterwards} work included:
   * with a new thread for each, a burst of 200 pre-starts kept 30 phase threads for 16 phases at
   * once, each with the stack and buffers a thread touches.
   */
  public static <T> Future<T> carry(Supplier<Future<T>> phase) {
    Promise<T> promise = Promise.promise();
    Runnable start =
        () -> {
          try {
            phase.get().onComplete(promise);
          } catch (RuntimeException | Error e) {
            promise.tryFail(e);
          }
        };
    try {
      if (isCurrent()) {
        AFTERWARDS.get().add(start);
      } else {
        execute(start);
      }
    } catch (RuntimeException | Error notStarted) {
      promise.fail(notStarted);
    }
    return promise.future();
  }

  /** Runs the work here when this is a phase thread already, else on one. */
  public static <T> Future<T> onPhaseThread(Callable<T> work) {
    if (!isCurrent()) {
      return submit(work);
    }
    Promise<T> promise = Promise.promise();
    complete(promise, work);
    return promise.future();
  }

  /** True on a phase thread: blocking is allowed here, and a phase may go on here. */
  public static boolean isCurrent() {
    return IS_PHASE_THREAD.get();
  }

  /**
   * Runs the work on this phase thread once what it carries now is handed on (a phase's answer is
   * on its way: e.g. the recording's fsync, p50 0.57 ms, p99 4.4 ms on a VM disk, after the call is
   * answered, without waking another thread); elsewhere at once.
   */
  public static void afterwards(Runnable work) {
    if (isCurrent()) {
      AFTERWARDS.get().add(work);
    } else {
      work.run();
    }
  }

  /**
   * Runs the work on this phase thread as soon as what it carries now returns, before any {@link
   * #afterwards} work; elsewhere on a phase thread of its own. A phase's hooks start so: by then
   * whoever waits for the phase listens to its future, so when a hook hangs past its timeout the
   * thread the watchdog hands the phase to finishes it and answers. (Run inline while the phase's
   * chain was still being built, a hook that ignored its interrupt held the answer, and the guest's
   * lock, until it returned.)
   */
  public static void next(Runnable work) {
    if (isCurrent()) {
      NEXT.get().add(work);
    } else {
      execute(work);
    }
  }

  static void execute(Runnable work) {
    THREADS.execute(() -> runThenAfterwards(work));
  }

  private static void runThenAfterwards(Runnable work) {
    try {
      work.run();
    } finally {
      List<Runnable> next = NEXT.get();
      List<Runnable> later = AFTERWARDS.get();
      while (!next.isEmpty() || !later.isEmpty()) {
        try {
          (next.isEmpty() ? later : next).remove(0).run();
        } catch (RuntimeException e) {
          // Such work reports its own failures (a sync that fails is a warning); the next runs.
        }
      }
    }
  }

  private static <T> void complete(Promise<T> promise, Callable<T> work) {
    try {
      promise.complete(work.call());
    } catch (Exception | Error e) {
      promise.fail(e);
    }
  }

  private static Thread newThread(Runnable work) {
    Thread thread =
        new Thread(
            () -> {
              IS_PHASE_THREAD.set(true);
              work.run();
            },
            "guesthook-phase-" + COUNT.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }
}
