package dev.guesthook.devices;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where device operations coordinate with other processes and keep account of what they change for
 * which guest: a lock per device held across processes, and a journal written (and synced) before
 * each change, so that a crash in the middle leaves enough behind to undo it. Proxmox reserves
 * whole PCI devices for running guests but not the mdev instances and VFs hooks hand out; this is
 * that account. {@link #NONE} is for reading, dry runs and replays.
 */
public interface Ledger {
  /** Runs {@code work} holding {@code device}'s lock, so no other process changes it meanwhile. */
  <T> T locked(PciAddress device, Supplier<T> work);

  /**
   * Notes {@code change}, makes it ({@code action}), and notes how that went; rethrows a failure.
   * When the note cannot be made whole on disk (a full disk), this throws and {@code action} does
   * not run.
   */
  void apply(Change change, Runnable action);

  /** Devices the ledger says other guests hold. */
  Set<PciAddress> heldByOthers();

  /**
   * Devices the ledger says {@code guest} holds: what its pre-start handed it, until its post-stop
   * or a reconcile takes it back (so also while it is starting, before its QEMU runs).
   */
  Set<PciAddress> heldBy(VmId guest);

  /** No locks, no notes, nothing held: for dry runs and replays. */
  Ledger NONE = readingOnly(Set::of, guest -> Set.of());

  /**
   * No locks, no notes, and what guests hold as {@code heldByOthers} and {@code heldBy} say: for
   * judging a start without making it ({@code guesthook check}).
   */
  static Ledger readingOnly(
      Supplier<Set<PciAddress>> heldByOthers, Function<VmId, Set<PciAddress>> heldBy) {
    return new Ledger() {
      @Override
      public <T> T locked(PciAddress device, Supplier<T> work) {
        return work.get();
      }

      @Override
      public void apply(Change change, Runnable action) {
        action.run();
      }

      @Override
      public Set<PciAddress> heldByOthers() {
        return heldByOthers.get();
      }

      @Override
      public Set<PciAddress> heldBy(VmId guest) {
        return heldBy.apply(guest);
      }
    };
  }
}
