package dev.guesthook.dispatch;

import dev.guesthook.event.LifecycleEvent;
import java.util.List;

/** The outcome of one phase: every hook's outcome in run order, and whether pre-start was rolled back. */
public record DispatchResult(LifecycleEvent event, List<HookOutcome> hooks, boolean rolledBack) {
  public boolean anyFailed() {
    return hooks.stream().anyMatch(HookOutcome::failed);
  }

  /**
   * The hookscript's exit code. A failed pre-start must exit non-zero so Proxmox aborts the start;
   * other phases only log failures, unless the admin asked for strict mode.
   */
  public int exitCode(boolean strict) {
    if (!anyFailed()) {
      return 0;
    }
    return event.phase().isTransactional() || strict ? 1 : 0;
  }

  public String overall() {
    if (!anyFailed()) {
      return "ok";
    }
    return rolledBack ? "aborted" : "failed";
  }
}
