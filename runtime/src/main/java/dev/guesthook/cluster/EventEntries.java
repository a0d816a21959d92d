package dev.guesthook.cluster;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Reconciler;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ring entries from what a phase or a reconcile already knows, in memory: nothing is read again (no
 * recording, no journal), so noting an event costs the phase nothing it can feel.
 */
public final class EventEntries {
  /** The phase of a ring entry made by a reconcile. */
  public static final String RECONCILE = "reconcile";

  /** The outcome of a phase that could not run. */
  public static final String REFUSED = "refused";

  private EventEntries() {}

  /** A dispatched phase; {@code took}: from the call to the answer. Its seq is given later. */
  public static EventRing.Entry ofPhase(DispatchResult result, Duration took) {
    LifecycleEvent event = LifecycleEvent.of(result.event());
    List<EventRing.HookRun> hooks = new ArrayList<>();
    Summary changes = new Summary();
    for (HookOutcome hook : result.hooks()) {
      if (hook.status() == HookOutcome.Status.SKIPPED) {
        continue;
      }
      if (hooks.size() < EventRing.SHOWN_HOOKS) {
        hooks.add(
            new EventRing.HookRun(
                EventRing.cut(hook.hook()), hook.status().wireName(), hook.duration().toMillis()));
      }
      for (HostInteraction interaction : hook.interactions()) {
        if (interaction.changesHost() && !interaction.failed()) {
          changes.made(interaction.kind().wireName() + " " + interaction.target());
        }
      }
      hook.undo().stream()
          .filter(HookOutcome.UndoOutcome::ok)
          .forEach(u -> changes.undone(u.description()));
    }
    return new EventRing.Entry(
        0,
        time(event.time()),
        event.vmid().value(),
        event.phase().wireName(),
        event.situation().wireName(),
        event.migratedFrom().orElse(null),
        result.overall(),
        took.toMillis(),
        hooks,
        changes.changes());
  }

  /**
   * A phase that could not run (no config for the guest, a value Proxmox would refuse): outcome
   * {@code refused}, and {@code why} (guesthook's error) where a phase has its situation. A refused
   * pre-start aborted the guest's start: the cluster's timeline must show it.
   */
  public static EventRing.Entry refused(
      VmId vmid,
      Phase phase,
      Optional<String> migratedFrom,
      String why,
      Instant at,
      Duration took) {
    return new EventRing.Entry(
        0,
        time(at),
        vmid.value(),
        phase.wireName(),
        EventRing.cut(why),
        migratedFrom.orElse(null),
        REFUSED,
        took.toMillis(),
        List.of(),
        EventRing.Changes.NONE);
  }

  /**
   * The guests a reconcile put something back for (or failed to); {@code why}: what ran it ({@code
   * after post-stop of VM 502}, {@code periodic}, {@code by hand}).
   */
  public static List<EventRing.Entry> ofReconcile(
      List<Reconciler.GuestResult> results, String why, Instant at) {
    List<EventRing.Entry> entries = new ArrayList<>();
    for (Reconciler.GuestResult result : results) {
      if (!result.acted() && result.status() != Reconciler.Status.DAMAGED) {
        continue; // nothing happened: not worth a line every minute
      }
      Summary changes = new Summary();
      boolean failed = false;
      for (Reconciler.Step step : result.steps()) {
        if (step.acted()) {
          changes.undone(step.change());
        }
        failed |= step.failed();
      }
      String outcome =
          failed ? "failed" : result.status() == Reconciler.Status.DAMAGED ? "damaged" : "ok";
      entries.add(
          new EventRing.Entry(
              0,
              time(at),
              result.vmid().value(),
              RECONCILE,
              EventRing.cut(why),
              null,
              outcome,
              result.took().toMillis(),
              List.of(),
              changes.changes()));
    }
    return entries;
  }

  private static String time(Instant at) {
    return at.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /** Host changes counted, the first few named. */
  private static final class Summary {
    private int made;
    private int undone;
    private final List<String> shown = new ArrayList<>();

    void made(String what) {
      made++;
      show("made: " + what);
    }

    void undone(String what) {
      undone++;
      show("undone: " + what);
    }

    private void show(String what) {
      if (shown.size() < EventRing.SHOWN_CHANGES) {
        shown.add(EventRing.cut(what));
      }
    }

    EventRing.Changes changes() {
      return made == 0 && undone == 0
          ? EventRing.Changes.NONE
          : new EventRing.Changes(made, undone, List.copyOf(shown));
    }
  }
}
