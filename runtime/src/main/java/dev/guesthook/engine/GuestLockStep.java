package dev.guesthook.engine;

import dev.guesthook.core.event.Phase;
import dev.guesthook.devices.Ledger;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Journals;
import dev.guesthook.lock.Locks;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Step 1 of a phase: the guest's lock ({@code vm-<vmid>}), so phases of one guest run one at a
 * time, across processes; and the ledger the phase's device operations work through while it is
 * held.
 */
final class GuestLockStep {
  private final Vertx vertx;
  private final Journals journals;
  private final Duration phaseBound;

  GuestLockStep(Vertx vertx, Journals journals, Duration phaseBound) {
    this.vertx = vertx;
    this.journals = journals;
    this.phaseBound = phaseBound;
  }

  /** Who holds the lock, as another phase waiting for it is told. */
  static String holder(VmId vmid, Phase phase) {
    return "VM " + vmid + " " + phase.wireName() + " (pid " + ProcessHandle.current().pid() + ")";
  }

  /** Waits, off the event loop, as long as another phase of the guest may still run. */
  Future<Locks.Held> acquire(VmId vmid, String holder) {
    return vertx.executeBlocking(
        () -> journals.locks().acquire(Journals.guestLock(vmid), holder, phaseBound), false);
  }

  /**
   * A pre-start notes its changes in the guest's journal; other phases only lock the devices they
   * touch.
   */
  Ledger ledger(VmId vmid, Phase phase, String holder) {
    return phase == Phase.PRE_START
        ? journals.ledger(vmid, holder)
        : journals.lockingOnly(vmid, holder);
  }
}
