package dev.guesthook.core.dispatch;

/**
 * Thrown by a hook that finds it has nothing to do for this guest, e.g. no such device in its
 * config.
 */
public final class HookSkipped extends RuntimeException {
  public HookSkipped(String reason) {
    super(reason, null, false, false);
  }
}
