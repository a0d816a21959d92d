package dev.guesthook.core.dispatch;

import dev.guesthook.core.event.HookEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one phase: every hook's outcome in run order, and whether pre-start was rolled
 * back.
 */
public record DispatchResult(HookEvent event, List<HookOutcome> hooks, boolean rolledBack) {
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

  /**
   * The same phase failed after its hooks ran, by guesthook itself (e.g. the start could not be
   * noted in the journal), with what it changed put back: shown as one more failed line named
   * "guesthook".
   */
  public DispatchResult failedAfterHooks(String why) {
    List<HookOutcome> all = new ArrayList<>(hooks);
    all.add(
        new HookOutcome(
            "guesthook", "", HookOutcome.Status.FAILED, Duration.ZERO, why, List.of(), List.of()));
    return new DispatchResult(event, List.copyOf(all), true);
  }

  public String overall() {
    if (!anyFailed()) {
      return "ok";
    }
    return rolledBack ? "aborted" : "failed";
  }
}
