package dev.guesthook.metrics;

/**
 * What a reconcile outside a phase ({@code serve}'s, at its start and periodic, or one by hand) put
 * back and failed to put back: counted with the reconciles of phases.
 */
public record ReconcileSample(long putBack, long failed) implements Sample {
  @Override
  public void addTo(Counts counts) {
    counts.reconcilePutBack += putBack;
    counts.reconcileFailed += failed;
  }
}
