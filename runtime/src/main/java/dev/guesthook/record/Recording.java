package dev.guesthook.record;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.guest.Situation;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.id.VmId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One recorded event, as typed values: the event as it was, the settings each hook was given (as
 * written, typed again by a replay), the outcome, and each hook with every host interaction in
 * order. {@link RecordingCodec} is the one that writes it to a line and reads it back.
 */
public record Recording(
    Event event,
    Map<String, Map<String, Object>> settings,
    String outcome,
    int exitCode,
    List<Hook> hooks) {

  /**
   * The event: its config kept as read ({@code configText}), so a replay parses it as the phase
   * did.
   */
  public record Event(
      VmId vmid,
      Phase phase,
      Situation situation,
      String guestType,
      String node,
      Instant time,
      Optional<String> migratedFrom,
      Map<String, String> config,
      Optional<String> configOrigin,
      String configText) {}

  /**
   * One hook's outcome ({@code ok}, {@code failed}, ...), its host interactions and its undo steps.
   */
  public record Hook(
      String name,
      String origin,
      String outcome,
      long durationMs,
      String message,
      List<HostInteraction> interactions,
      List<Undo> undo) {
    /** How many of its interactions could have changed the host. */
    public long changes() {
      return interactions.stream().filter(HostInteraction::changesHost).count();
    }
  }

  /** One undo step run during a rollback. */
  public record Undo(String description, boolean ok, String message) {}

  /** What a dispatch did, with the settings each hook was given. */
  public static Recording of(DispatchResult result, Map<String, Map<String, Object>> settings) {
    LifecycleEvent e = LifecycleEvent.of(result.event());
    Event event =
        new Event(
            e.vmid(),
            e.phase(),
            e.situation(),
            e.guestType().wireName(),
            e.node(),
            e.time(),
            e.migratedFrom(),
            e.config().current(),
            Optional.ofNullable(e.config().origin()),
            e.config().rawText());
    List<Hook> hooks = result.hooks().stream().map(Recording::hook).toList();
    return new Recording(
        event, new TreeMap<>(settings), result.overall(), result.exitCode(false), hooks);
  }

  private static Hook hook(HookOutcome hook) {
    List<Undo> undo =
        hook.undo().stream().map(u -> new Undo(u.description(), u.ok(), u.message())).toList();
    return new Hook(
        hook.hook(),
        hook.origin(),
        hook.status().wireName(),
        hook.duration().toMillis(),
        hook.message(),
        hook.interactions(),
        undo);
  }

  /** Whether a hook of this name ran (or was skipped) in the recorded phase. */
  public boolean names(String hook) {
    return hooks.stream().anyMatch(h -> h.name().equals(hook));
  }

  /** What the hook of this name was given; empty for a hook the recording does not name. */
  public Map<String, Object> settingsOf(String hook) {
    return settings.getOrDefault(hook, Map.of());
  }
}
