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
      guest(vmid, "before pre-start", listener);
    }
  }

  /** One guest, under its lock held by the phase; {@code why}: where in the phase. */
  void guest(VmId vmid, String why, PhaseListener listener) {
    report(reconciler.guest(vmid, true, true), why, listener);
  }

  /** After a post-stop: this guest, then every other guest that is not running. */
  void all(VmId first, PhaseListener listener) {
    String why = "after post-stop of VM " + first;
    reconciler.all(Optional.of(first)).forEach(result -> report(result, why, listener));
  }

  private static void report(Reconciler.GuestResult result, String why, PhaseListener listener) {
    result.news().forEach(line -> listener.line("guesthook: " + line));
    listener.reconciled(result, why);
  }
}
