package dev.guesthook.engine;

import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.guest.LifecycleEvent;

/** Follows one phase as it runs: told when its hooks start, then every log line as it comes. */
public interface PhaseListener {
  /** The event is built and {@code hooks} hooks are about to run for its phase. */
  void started(LifecycleEvent event, int hooks);

  /**
   * What a reconcile in this phase did: changes it put back and changes it could not; for the
   * metrics.
   */
  default void reconciled(long putBack, long failed) {}

  /** guesthook's own line about the phase, for the Proxmox task log. */
  void line(String line);

  /** A hook's log message, whole; by default its task-log lines, one by one. */
  default void hookLine(HookLine line) {
    line.taskLog().forEach(this::line);
  }
}
