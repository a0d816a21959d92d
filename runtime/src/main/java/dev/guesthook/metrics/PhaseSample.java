package dev.guesthook.metrics;

import java.util.List;

/**
 * What one phase adds to the counts: its phase and outcome ({@code ok}, {@code failed}, {@code
 * aborted}, or {@code refused} when it could not run), how long it took from the call to the
 * answer, the hooks that timed out, and what its reconcile put back or failed to.
 */
public record PhaseSample(
    String phase,
    String outcome,
    long durationMillis,
    List<String> timedOutHooks,
    long reconcilePutBack,
    long reconcileFailed)
    implements Sample {
  public PhaseSample {
    timedOutHooks = List.copyOf(timedOutHooks);
  }

  @Override
  public void addTo(Counts counts) {
    counts.add(this);
  }
}
