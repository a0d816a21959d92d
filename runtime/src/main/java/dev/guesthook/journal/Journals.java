package dev.guesthook.journal;

import dev.guesthook.devices.Change;
import dev.guesthook.devices.Ledger;
import dev.guesthook.host.OwnState;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import dev.guesthook.lock.Locks;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Every guest's journal and the host's device locks: {@code /var/lib/guesthook/journal} (kept
 * across a crash and a reboot) and {@code /run/guesthook/locks} (a lock only means something while
 * its holder lives). Together they are the ledger of what guesthook handed to which guest.
 */
public final class Journals {
  private final Path directory;
  private final Locks locks;
  private final Duration lockWait;
  private final Clock clock;
  private final WriteFaults faults;

  public Journals(Path directory, Locks locks, Duration lockWait, Clock clock) {
    this(directory, locks, lockWait, clock, WriteFaults.NONE);
  }

  private Journals(
      Path directory, Locks locks, Duration lockWait, Clock clock, WriteFaults faults) {
    this.directory = directory;
    this.locks = locks;
    this.lockWait = lockWait;
    this.clock = clock;
    this.faults = faults;
  }

  /** The runtime's places under a host root ({@code /} on a node, the sandbox otherwise). */
  public static Journals under(Path root, Duration lockWait, Clock clock) {
    return new Journals(
        OwnState.JOURNALS.under(root),
        new Locks(OwnState.LOCKS.under(root)),
        lockWait,
        clock,
        WriteFaults.under(root));
  }

  public Journal of(VmId vmid) {
    return new Journal(directory, vmid, faults);
  }

  /** The guests with a journal, and the folder's strays (reported, never read). */
  public JournalFolder folder() {
    return JournalFolder.list(directory);
  }

  public Path directory() {
    return directory;
  }

  public Locks locks() {
    return locks;
  }

  public Duration lockWait() {
    return lockWait;
  }

  public Clock clock() {
    return clock;
  }

  /** The lock that lets one phase (or reconcile) of a guest act at a time. */
  public static String guestLock(VmId vmid) {
    return "vm-" + vmid;
  }

  /**
   * Devices noted in any other guest's journal, and those its unreadable lines name: a journal that
   * cannot be read whole keeps what it may hold, and never stops this guest's choice.
   */
  public Set<PciAddress> heldByOthers(VmId vmid) {
    Set<PciAddress> held = new HashSet<>();
    for (VmId other : folder().guests()) {
      if (!other.equals(vmid)) {
        held.addAll(of(other).read().devices());
      }
    }
    return held;
  }

  /**
   * The ledger a guest's pre-start uses: locks, and each change noted in its journal first. Only
   * what a pre-start hands to a guest is noted: what later phases do (putting things back) is where
   * the host should stay, not something to undo.
   */
  public Ledger ledger(VmId vmid, String holder) {
    return new GuestLedger(of(vmid), holder, true);
  }

  /**
   * For judging a guest's start without making it ({@code guesthook check}): no locks, nothing
   * noted, and what guests hold as their journals say, as a pre-start would see it.
   */
  public Ledger reading(VmId vmid) {
    return Ledger.readingOnly(() -> heldByOthers(vmid), guest -> of(guest).read().devices());
  }

  /** Locks only, nothing noted: for the other phases and for putting things back in a reconcile. */
  public Ledger lockingOnly(VmId vmid, String holder) {
    return new GuestLedger(of(vmid), holder, false);
  }

  private final class GuestLedger implements Ledger {
    private final Journal journal;
    private final String holder;
    private final boolean noting;

    GuestLedger(Journal journal, String holder, boolean noting) {
      this.journal = journal;
      this.holder = holder;
      this.noting = noting;
    }

    @Override
    public <T> T locked(PciAddress device, Supplier<T> work) {
      try (Locks.Held held = locks.acquire("pci-" + device.value(), holder, lockWait)) {
        return work.get();
      }
    }

    /**
     * The intent is whole on disk before {@code action} runs; when it cannot be, this throws and
     * nothing is done.
     */
    @Override
    public void apply(Change change, Runnable action) {
      if (!noting || journal.has(change.target())) {
        action.run(); // the first note of this target already knows how it was before
        return;
      }
      int seq = journal.intent(change, clock.instant());
      try {
        action.run();
      } catch (RuntimeException failed) {
        journal.result(seq, "failed: " + failed.getMessage());
        throw failed;
      }
      journal.result(seq, "ok");
    }

    @Override
    public Set<PciAddress> heldByOthers() {
      return Journals.this.heldByOthers(journal.vmid());
    }

    @Override
    public Set<PciAddress> heldBy(VmId guest) {
      return of(guest).read().devices();
    }
  }
}
