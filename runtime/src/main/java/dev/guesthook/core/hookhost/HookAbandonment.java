package dev.guesthook.core.hookhost;

import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * What compiled hook code asks at every loop iteration, closure call and method call: may this hook
 * go on? A hook that never blocks never sees an interrupt, so the compiler puts this question where
 * it loops (see {@link InterruptChecks}).
 *
 * <p>The answer is no once the thread is interrupted or the hook's invocation was abandoned. The
 * abandonment is sticky: {@code Thread.sleep} clears an interrupt a hook catches, but not this, so
 * the next iteration asks again and stops the hook for good.
 */
public final class HookAbandonment {
  private static final ThreadLocal<BooleanSupplier> ABANDONED = new ThreadLocal<>();

  private HookAbandonment() {}

  /** Called from compiled hook code: throws {@link HookAbandoned} when the hook must stop. */
  public static void check() {
    if (Thread.currentThread().isInterrupted() || abandoned()) {
      throw new HookAbandoned();
    }
  }

  /** Runs a hook's handler on this thread, answering {@link #check()} from its invocation. */
  static <T> T watching(BooleanSupplier abandoned, Callable<T> handler) throws Exception {
    BooleanSupplier previous = ABANDONED.get();
    ABANDONED.set(abandoned);
    try {
      return handler.call();
    } finally {
      ABANDONED.set(previous);
    }
  }

  private static boolean abandoned() {
    BooleanSupplier abandoned = ABANDONED.get();
    return abandoned != null && abandoned.getAsBoolean();
  }
}
