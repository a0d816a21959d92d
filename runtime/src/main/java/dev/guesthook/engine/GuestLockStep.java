package dev.guesthook.engine;

import dev.guesthook.core.event.Phase;
import dev.guesthook.devices.Ledger;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Journals;
import dev.guesthook.lock.Locks;
import java.time.Duration;

/**
 * Step 1 of a phase: the guest's lock ({@code vm-<vmid>}), so phases of one guest run one at a
 * time, across processes; and the ledger the phase's device operations work through while it is
 * held.
 */
final class GuestLockStep {
  private final Journals journals;
  private final Duration phaseBound;

  GuestLockStep(Journals journals, Duration phaseBound) {
    this.journals = journals;
    this.phaseBound = phaseBound;
  }

  /** Who holds the lock, as another phase waiting for it is told. */
  static String holder(VmId vmid, Phase phase) {
    return "VM " + vmid + " " + phase.wireName() + " (pid " + ProcessHandle.current().pid() + ")";
  }

  /** Blocking: waits as long as another phase of the guest may still run. */
  Locks.Held acquireNow(VmId vmid, String holder) {
    return journals.locks().acquire(Journals.guestLock(vmid), holder, phaseBound);
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
