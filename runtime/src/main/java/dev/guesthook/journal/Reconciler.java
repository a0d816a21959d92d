package dev.guesthook.journal;

import dev.guesthook.core.hookhost.HookState;
import dev.guesthook.devices.Change;
import dev.guesthook.devices.Devices;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.WedgedDevices;
import dev.guesthook.id.VmId;
import dev.guesthook.lock.Locks;
import dev.guesthook.pve.Pve;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Puts back what guests that are not running hold according to their journals: the mdev instances
 * created, the drivers changed, the VF link settings and vGPU types set, newest first. Proxmox
 * skips post-stop after a failed start and on a migration's source, and a process can die
 * mid-phase; this is what cleans up after them. A guest that runs, is starting (its pre-start
 * succeeded less than {@code startWindow} ago) or has a phase under way elsewhere is left alone,
 * and so is any device another running guest holds. Each step checks first, so a second pass does
 * nothing. A journal with lines it cannot read is put back as far as it can be read and kept
 * (DAMAGED), with what those lines name held, until a person has looked; each guest is answered on
 * its own, so it never stops another.
 */
public final class Reconciler {
  /** What became of one guest's journal. */
  public enum Status {
    RECONCILED,
    NOTHING_TO_DO,
    RUNNING,
    STARTING,
    BUSY,
    INCOMPLETE,
    DAMAGED,
    PLANNED
  }

  /**
   * One change looked at: what was (or, in a dry run, would be) done about it; {@code acted}:
   * something was put back, never in a dry run.
   */
  public record Step(String change, String outcome, boolean acted, boolean failed) {}

  /**
   * {@code problems}: the journal's lines that could not be read (kept, with what they may hold);
   * {@code ownPhase}: looked at from one of the guest's own phases, whose task log should name
   * them.
   */
  public record GuestResult(
      VmId vmid,
      Status status,
      String reason,
      List<Step> steps,
      List<JournalProblem> problems,
      boolean ownPhase,
      Duration took) {
    /** The same result, with how long it took to reach. */
    GuestResult took(Duration spent) {
      return new GuestResult(vmid, status, reason, steps, problems, ownPhase, spent);
    }

    /** Whether something was put back, or failed to be: worth an event. */
    public boolean acted() {
      return steps.stream().anyMatch(step -> step.acted() || step.failed());
    }

    /**
     * The lines worth a log: what was put back or failed to be, and (in the guest's own phases) its
     * journal's unreadable lines. After a clean post-stop every step finds its change gone, which
     * is not news.
     */
    public List<String> news() {
      List<String> out = new ArrayList<>();
      steps.stream()
          .filter(step -> step.acted() || step.failed())
          .forEach(
              step ->
                  out.add("reconcile VM " + vmid + ": " + step.change() + ": " + step.outcome()));
      if (ownPhase) {
        problems.forEach(
            problem -> out.add("warning: journal of VM " + vmid + ": " + describe(problem)));
      }
      return out;
    }
  }

  /** An unreadable line as a person needs it: where, why, what it may hold, and what to do. */
  public static String describe(JournalProblem problem) {
    String holds =
        problem.mayHold().isEmpty()
            ? ""
            : "; it names "
                + problem.mayHold().stream()
                    .map(Object::toString)
                    .sorted()
                    .collect(Collectors.joining(", "))
                + ", held for this guest meanwhile";
    return problem.where()
        + ": "
        + problem.message()
        + holds
        + "; the journal is kept: fix: check the devices it"
        + " lists (guesthook reconcile --dry-run), then delete that line (or the file)";
  }

  private final Journals journals;
  private final HostPort host;
  private final boolean dryRun;
  private final Duration startWindow;

  /**
   * {@code host} is the port to act through: a {@code DryRunHost} for {@code dryRun}, so nothing
   * changes.
   */
  public Reconciler(Journals journals, HostPort host, boolean dryRun, Duration startWindow) {
    this.journals = journals;
    this.host = host;
    this.dryRun = dryRun;
    this.startWindow = startWindow;
  }

  /**
   * Every guest with a journal. {@code ownLock}: a guest whose lock the caller holds already, in
   * one of that guest's own phases (so its start is not under way), or none.
   */
  public List<GuestResult> all(Optional<VmId> ownLock) {
    if (!dryRun) {
      new WedgedDevices(host).sweep(); // a risky write's note its dead process left
    }
    List<GuestResult> out = new ArrayList<>();
    for (VmId vmid : journals.folder().guests()) {
      boolean own = ownLock.equals(Optional.of(vmid));
      out.add(guest(vmid, own, own));
    }
    return out;
  }

  /** Files in the journal folder that are no guest's journal: reported, never read. */
  public List<Path> strays() {
    return journals.folder().strays();
  }

  /**
   * One guest. {@code notStarting}: the caller knows its start is not under way (the guest's own
   * pre-start or post-stop); {@code lockHeld}: the caller holds the guest's lock already. Whatever
   * this guest's journal holds, the answer is a result, never an exception: other guests go on.
   */
  public GuestResult guest(VmId vmid, boolean notStarting, boolean lockHeld) {
    long start = System.nanoTime();
    GuestResult result;
    try {
      result = examine(vmid, notStarting, lockHeld);
    } catch (RuntimeException e) {
      result =
          new GuestResult(
              vmid,
              Status.INCOMPLETE,
              "could not be reconciled; the journal is kept for the next pass",
              List.of(new Step("journal", "failed: " + e.getMessage(), false, true)),
              List.of(),
              lockHeld,
              Duration.ZERO);
    }
    return result.took(Duration.ofNanos(System.nanoTime() - start));
  }

  private GuestResult examine(VmId vmid, boolean notStarting, boolean lockHeld) {
    Journal journal = journals.of(vmid);
    JournalReading reading = journal.read();
    Results results = new Results(vmid, reading.problems(), lockHeld);
    if (reading.isEmpty()) {
      if (!dryRun && reading.found()) {
        journal.clear(); // only a started-line was left
      }
      return results.of(Status.NOTHING_TO_DO, "nothing noted", List.of());
    }
    Pve pve = new Pve(host);
    if (pve.isRunning(vmid)) {
      return results.of(Status.RUNNING, "running: it holds what its journal lists", List.of());
    }
    Optional<Instant> started = reading.lastStarted();
    Instant now = journals.clock().instant();
    boolean sinceBoot =
        started.isPresent() && bootTime().map(boot -> started.get().isAfter(boot)).orElse(true);
    if (!notStarting && sinceBoot && started.get().plus(startWindow).isAfter(now)) {
      return results.of(
          Status.STARTING,
          "pre-start succeeded "
              + Duration.between(started.get(), now).toSeconds()
              + " s ago and QEMU is not running yet: starting, left alone for up to "
              + startWindow.toSeconds()
              + " s",
          List.of());
    }
    if (reading.changes().isEmpty()) {
      return results.of(Status.DAMAGED, damaged(reading), List.of());
    }
    if (lockHeld) {
      return undo(vmid, journal, reading, pve, results);
    }
    Optional<Locks.Held> lock =
        journals
            .locks()
            .tryAcquire(
                Journals.guestLock(vmid),
                "reconcile (pid " + ProcessHandle.current().pid() + ")",
                Duration.ZERO);
    if (lock.isEmpty()) {
      return results.of(
          Status.BUSY,
          "a phase is under way (" + journals.locks().holderOf(Journals.guestLock(vmid)) + ")",
          List.of());
    }
    try (Locks.Held held = lock.get()) {
      return undo(vmid, journal, reading, pve, results);
    }
  }

  /** The results for one guest: each carries what its journal could not say. */
  private record Results(VmId vmid, List<JournalProblem> problems, boolean ownPhase) {
    GuestResult of(Status status, String reason, List<Step> steps) {
      return new GuestResult(vmid, status, reason, steps, problems, ownPhase, Duration.ZERO);
    }
  }

  private static String damaged(JournalReading reading) {
    return "not running; "
        + reading.problems().size()
        + " unreadable journal line(s) kept with what they may hold"
        + (reading.changes().isEmpty() ? "" : " (what could be read is put back)")
        + "; fix: see each line below";
  }

  private GuestResult undo(
      VmId vmid, Journal journal, JournalReading reading, Pve pve, Results results) {
    Devices devices = new Devices(host, journals.lockingOnly(vmid, "reconcile of VM " + vmid));
    Map<String, VmId> elsewhere = heldElsewhere(vmid, pve);
    List<Change> changes = new ArrayList<>(reading.changes());
    Collections.reverse(changes);
    List<Step> steps = new ArrayList<>();
    for (Change change : changes) {
      VmId other = elsewhere.get(change.target());
      if (other == null && change.holdsDeviceAlone()) {
        other = elsewhere.get("device " + change.device());
      }
      if (other != null) {
        steps.add(
            new Step(change.target(), "left alone: VM " + other + " is using it", false, false));
        continue;
      }
      try {
        steps.add(
            change
                .undo(devices)
                .map(
                    deed ->
                        dryRun
                            ? new Step(change.target(), deed.planned(), false, false)
                            : new Step(change.target(), deed.done(), true, false))
                .orElse(new Step(change.target(), change.alreadyBack(dryRun), false, false)));
      } catch (RuntimeException e) {
        steps.add(new Step(change.target(), "failed: " + e.getMessage(), false, true));
      }
    }
    boolean failed = steps.stream().anyMatch(Step::failed);
    if (dryRun) {
      return results.of(Status.PLANNED, "not running: would put back", steps);
    }
    if (failed) {
      return results.of(
          Status.INCOMPLETE,
          "not running; some steps failed, the journal is kept for the next pass",
          steps);
    }
    if (!reading.problems().isEmpty()) {
      return results.of(Status.DAMAGED, damaged(reading), steps);
    }
    HookState.forgetAll(host, vmid); // it described what was just put back
    journal.clear();
    return results.of(Status.RECONCILED, "not running: put back", steps);
  }

  /**
   * When the host booted ({@code btime} in /proc/stat): a start from before it is not under way.
   */
  private Optional<Instant> bootTime() {
    HostPath stat = HostPath.of("proc", "stat");
    if (!host.exists(stat)) {
      return Optional.empty();
    }
    return host.read(stat)
        .lines()
        .filter(line -> line.matches("btime [0-9]{1,12}"))
        .findFirst()
        .map(line -> Instant.ofEpochSecond(Long.parseLong(line.substring(6))));
  }

  /**
   * Targets and devices that running or starting guests hold: their journals, and qemu-server's
   * reservations.
   */
  private Map<String, VmId> heldElsewhere(VmId vmid, Pve pve) {
    Map<String, VmId> held = new HashMap<>();
    pve.pciReservations(journals.clock().instant())
        .forEach(
            (device, owner) -> {
              if (!owner.equals(vmid)) {
                held.put("device " + device, owner);
              }
            });
    for (VmId other : journals.folder().guests()) {
      if (other.equals(vmid) || !pve.isRunning(other)) {
        continue;
      }
      JournalReading theirs = journals.of(other).read();
      for (Change change : theirs.changes()) {
        held.put(change.target(), other);
        if (change.holdsDeviceAlone()) {
          held.put("device " + change.device(), other);
        }
      }
      theirs
          .problems()
          .forEach(
              problem -> problem.mayHold().forEach(device -> held.put("device " + device, other)));
    }
    return held;
  }
}
