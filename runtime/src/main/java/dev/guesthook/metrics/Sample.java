package dev.guesthook.metrics;

/** What one event adds to the counts: a phase that answered, or a reconcile outside a phase. */
public sealed interface Sample permits PhaseSample, ReconcileSample {
  /** Adds this to {@code counts}. */
  void addTo(Counts counts);
}
