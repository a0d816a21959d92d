package dev.guesthook.core.dispatch;

/**
 * Thrown by a hook whose own work was stopped at the hook's timeout (an executable hook's process
 * killed): the same outcome as the watchdog's, whichever of the two notices first.
 */
public final class HookTimedOut extends RuntimeException {
  public HookTimedOut(String message) {
    super(message, null, false, false);
  }
}
