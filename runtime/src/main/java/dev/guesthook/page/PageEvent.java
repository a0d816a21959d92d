package dev.guesthook.page;

import dev.guesthook.cluster.ClusterEvents;
import dev.guesthook.cluster.EventEntries;
import dev.guesthook.cluster.EventRing;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.record.Recording;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One lifecycle event as the page shows it, whatever its source: the node it ran on, the guest,
 * phase and situation, when, the outcome, and each hook with its duration, message, host changes
 * and undo steps; {@code changes}: the host changes of the whole event when its source does not
 * tell them per hook. {@link #of(Recording)} makes one from a recording, {@link
 * #of(ClusterEvents.Placed)} from a node's published ring (hooks with outcome and duration, the
 * changes counted and the first few named).
 */
public record PageEvent(
    String node,
    int vmid,
    String phase,
    String situation,
    Instant time,
    String outcome,
    Optional<String> migratedFrom,
    List<Hook> hooks,
    Changes changes) {
  /** Longest message kept: the page is for a glance, the recording has the rest. */
  static final int MAX_MESSAGE = 300;

  /** Most host changes kept per hook; the rest are counted. */
  static final int MAX_CHANGES = 12;

  public PageEvent {
    hooks = List.copyOf(hooks);
  }

  /**
   * A hook in the event: {@code changes} are the host changes it made (a write, a command, ...),
   * {@code moreChanges} how many were left out, {@code undo} its rollback's steps.
   */
  public record Hook(
      String name,
      String outcome,
      long durationMs,
      String message,
      List<String> changes,
      long moreChanges,
      List<Undo> undo) {
    public Hook {
      message = cut(message);
      changes = List.copyOf(changes);
      undo = List.copyOf(undo);
    }
  }

  /** One step of a rollback and whether it worked. */
  public record Undo(String description, boolean ok, String message) {
    public Undo {
      description = cut(description);
      message = cut(message);
    }
  }

  /** Host changes of the event as a whole: how many made and undone, the first few by name. */
  public record Changes(int made, int undone, List<String> shown) {
    public static final Changes NONE = new Changes(0, 0, List.of());

    public Changes {
      shown = shown.stream().limit(MAX_CHANGES).map(PageEvent::cut).toList();
    }

    public boolean any() {
      return made > 0 || undone > 0;
    }

    /** How many the names leave out. */
    public long more() {
      return Math.max(0, (long) made + undone - shown.size());
    }
  }

  public boolean failed() {
    return !outcome.equals("ok");
  }

  /**
   * A hook's changes were undone by its rollback. A reconcile's undone changes are what it put back
   * after a guest, not a rollback.
   */
  public boolean rolledBack() {
    return hooks.stream().anyMatch(hook -> !hook.undo().isEmpty())
        || !phase.equals(EventEntries.RECONCILE) && changes.undone() > 0;
  }

  /** The recorded event of a guest on {@code node} (the recording names its node too). */
  public static PageEvent of(Recording recording) {
    Recording.Event event = recording.event();
    return new PageEvent(
        event.node(),
        event.vmid().value(),
        event.phase().wireName(),
        event.situation().wireName(),
        event.time(),
        recording.outcome(),
        event.migratedFrom(),
        recording.hooks().stream().map(PageEvent::hook).toList(),
        Changes.NONE);
  }

  /** A node's published event: its hooks have no message, its changes are the event's. */
  public static PageEvent of(ClusterEvents.Placed placed) {
    EventRing.Entry entry = placed.entry();
    return new PageEvent(
        placed.node(),
        entry.vmid(),
        entry.phase(),
        entry.situation(),
        Instant.parse(entry.time()),
        entry.outcome(),
        Optional.ofNullable(entry.migratedFrom()),
        entry.hooks().stream()
            .map(h -> new Hook(h.name(), h.outcome(), h.durationMs(), "", List.of(), 0, List.of()))
            .toList(),
        new Changes(entry.changes().made(), entry.changes().undone(), entry.changes().shown()));
  }

  private static Hook hook(Recording.Hook hook) {
    List<String> changes =
        hook.interactions().stream()
            .filter(HostInteraction::changesHost)
            .map(PageEvent::change)
            .toList();
    return new Hook(
        hook.name(),
        hook.outcome(),
        hook.durationMs(),
        hook.message(),
        changes.stream().limit(MAX_CHANGES).toList(),
        Math.max(0, changes.size() - MAX_CHANGES),
        hook.undo().stream().map(u -> new Undo(u.description(), u.ok(), u.message())).toList());
  }

  private static String change(HostInteraction interaction) {
    String value = interaction.value() == null ? "" : " " + interaction.value().strip();
    String failed = interaction.failed() ? " (failed: " + interaction.result().text() + ")" : "";
    return cut(interaction.kind().wireName() + " " + interaction.target() + value + failed);
  }

  static String cut(String text) {
    String whole = text == null ? "" : text;
    return whole.length() <= MAX_MESSAGE ? whole : whole.substring(0, MAX_MESSAGE) + "…";
  }
}
