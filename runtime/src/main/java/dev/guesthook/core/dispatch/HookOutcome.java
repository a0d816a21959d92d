package dev.guesthook.core.dispatch;

import dev.guesthook.host.HostInteraction;
import java.time.Duration;
import java.util.List;

/**
 * What became of one hook in one phase, including the host actions it took and any undo run for it.
 */
public record HookOutcome(
    String hook,
    String origin,
    Status status,
    Duration duration,
    String message,
    List<HostInteraction> interactions,
    List<UndoOutcome> undo) {

  public enum Status {
    OK("ok"),
    FAILED("failed"),
    TIMED_OUT("timed-out"),
    SKIPPED("skipped");

    private final String wireName;

    Status(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /** One undo step run during a pre-start rollback. */
  public record UndoOutcome(String description, boolean ok, String message) {}

  public boolean failed() {
    return status == Status.FAILED || status == Status.TIMED_OUT;
  }

  HookOutcome withUndo(List<UndoOutcome> undoOutcomes) {
    return new HookOutcome(
        hook, origin, status, duration, message, interactions, List.copyOf(undoOutcomes));
  }

  static HookOutcome skipped(Hook hook, String why) {
    return new HookOutcome(
        hook.name(), hook.origin(), Status.SKIPPED, Duration.ZERO, why, List.of(), List.of());
  }
}
