package dev.guesthook.engine;

import dev.guesthook.core.event.Phase;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Journals;
import java.io.UncheckedIOException;
import java.time.Clock;

/**
 * Step 6 of a phase, blocking: a started guest's journal says so; after a failed pre-start or a
 * post-stop, what the hooks did not put back is put back, and then every other guest that is not
 * running is looked at.
 */
final class SettleStep {
  private final Journals journals;
  private final Clock clock;
  private final ReconcileStep reconcile;

  SettleStep(Journals journals, Clock clock, ReconcileStep reconcile) {
    this.journals = journals;
    this.clock = clock;
    this.reconcile = reconcile;
  }

  Engine.Run settle(Engine.Run run, PhaseListener listener) {
    VmId vmid = run.result().event().vmid();
    Phase phase = run.result().event().phase();
    if (phase == Phase.PRE_START && !run.result().anyFailed() && listener.unheard()) {
      return unheardStart(run, listener);
    } else if (phase == Phase.PRE_START && !run.result().anyFailed()) {
      return notedAsStarted(run, listener);
    } else if (phase == Phase.PRE_START) {
      reconcile.guest(vmid, "after failed pre-start", listener);
    } else if (phase == Phase.POST_STOP) {
      reconcile.all(vmid, listener);
    }
    return run;
  }

  /**
   * A pre-start whose answer cannot reach Proxmox any more ({@code serve} let its client go, the
   * socket full): Proxmox sees it fail and does not start the guest, and runs no post-stop either,
   * so what the hooks changed is put back now, under the guest's lock, instead of held for the
   * start window.
   */
  private Engine.Run unheardStart(Engine.Run run, PhaseListener listener) {
    VmId vmid = run.result().event().vmid();
    reconcile.guest(vmid, "after a pre-start whose answer did not reach Proxmox", listener);
    return new Engine.Run(
        run.result()
            .failedAfterHooks(
                "its answer could not reach Proxmox, which does not start the guest then; what"
                    + " the hooks changed is put back"),
        run.catalog());
  }

  /**
   * Notes a successful start in the guest's journal. Without the note a reconcile could not tell
   * the starting guest from one whose start failed, and would take its devices while QEMU starts:
   * when the note cannot be written, the start is failed and what the hooks changed is put back.
   */
  private Engine.Run notedAsStarted(Engine.Run run, PhaseListener listener) {
    VmId vmid = run.result().event().vmid();
    if (journals.of(vmid).isEmpty()) {
      return run;
    }
    try {
      journals.of(vmid).started(clock.instant());
      return run;
    } catch (UncheckedIOException notNoted) {
      reconcile.guest(vmid, "after failed pre-start", listener);
      return new Engine.Run(
          run.result()
              .failedAfterHooks(
                  notNoted.getMessage()
                      + "; the start is aborted and what the hooks"
                      + " changed is put back"),
          run.catalog());
    }
  }
}
