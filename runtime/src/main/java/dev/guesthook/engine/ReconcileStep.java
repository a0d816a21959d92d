package dev.guesthook.engine;

import dev.guesthook.core.event.Phase;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Reconciler;
import java.util.Optional;

/**
 * Step 2 of a pre-start, and part of settling a phase: puts back what an earlier life of a guest
 * left behind (what its journal says it still holds), saying so in the task log.
 */
final class ReconcileStep {
  private final Reconciler reconciler;

  ReconcileStep(Reconciler reconciler) {
    this.reconciler = reconciler;
  }

  /** Before a pre-start: what an earlier life of this guest left behind. */
  void beforeStart(VmId vmid, Phase phase, PhaseListener listener) {
    if (phase == Phase.PRE_START) {
      guest(vmid, listener);
    }
  }

  void guest(VmId vmid, PhaseListener listener) {
    report(reconciler.guest(vmid, true, true), listener);
  }

  /** After a post-stop: this guest, then every other guest that is not running. */
  void all(VmId first, PhaseListener listener) {
    reconciler.all(Optional.of(first)).forEach(result -> report(result, listener));
  }

  private static void report(Reconciler.GuestResult result, PhaseListener listener) {
    result.news().forEach(line -> listener.line("guesthook: " + line));
    long failed = result.steps().stream().filter(Reconciler.Step::failed).count();
    long putBack = result.steps().stream().filter(s -> s.acted() && !s.failed()).count();
    if (putBack + failed > 0) {
      listener.reconciled(putBack, failed);
    }
  }
}
