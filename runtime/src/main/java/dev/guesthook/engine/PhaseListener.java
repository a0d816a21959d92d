package dev.guesthook.engine;

import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.journal.Reconciler;

/** Follows one phase as it runs: told when its hooks start, then every log line as it comes. */
public interface PhaseListener {
  /** The event is built and {@code hooks} hooks are about to run for its phase. */
  void started(LifecycleEvent event, int hooks);

  /** guesthook's own line about the phase, for the Proxmox task log. */
  void line(String line);

  /** A hook's log message, whole; by default its task-log lines, one by one. */
  default void hookLine(HookLine line) {
    line.taskLog().forEach(this::line);
  }

  /**
   * What a reconcile within the phase found for one guest; {@code why}: where in the phase ({@code
   * before pre-start}, {@code after post-stop of VM 502}). Its lines come through {@link #line}.
   */
  default void reconciled(Reconciler.GuestResult result, String why) {}

  /**
   * Whether what the phase says can no longer reach whoever asked for it ({@code serve} let its
   * client go): Proxmox then sees the phase fail, and after a pre-start does not start the guest.
   */
  default boolean unheard() {
    return false;
  }
}
