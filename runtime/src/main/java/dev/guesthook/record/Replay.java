package dev.guesthook.record;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.PveFileException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replaying one recorded event: the event as it was (time, node, config, situation), the settings
 * each hook was given, and the comparison of what the hooks do now with what they did then,
 * interaction by interaction and hook by hook.
 */
public final class Replay {
  private Replay() {}

  /** The event as it was recorded, its config parsed by (or taken again from) {@code configs}. */
  static LifecycleEvent event(RecordedEvent recorded, RecordedConfigs configs)
      throws PveFileException {
    Recording.Event e = recorded.recording().event();
    return new LifecycleEvent(
        e.vmid(),
        e.phase(),
        Arrays.stream(GuestType.values())
            .filter(t -> t.wireName().equals(e.guestType()))
            .findFirst()
            .orElse(GuestType.QEMU),
        e.node(),
        e.time(),
        configs.parse(
            e.configOrigin().orElse("/etc/pve/qemu-server/" + e.vmid() + ".conf"), e.configText()),
        e.situation(),
        e.migratedFrom());
  }

  /** What each hook was given when the event was recorded. */
  public static Map<String, Object> settings(RecordedEvent recorded, String hook) {
    return recorded.recording().settingsOf(hook);
  }

  /**
   * How a replayed phase compares with its recording: the differences, the interactions compared,
   * both sides in full for a diff view, and the phase's hooks the recording predates (not
   * replayed).
   */
  public record Comparison(
      RecordedEvent recorded,
      DispatchResult replayed,
      List<String> differences,
      int interactions,
      List<String> notReplayed) {
    public boolean agrees() {
      return differences.isEmpty();
    }

    /** The hooks that ran in the recording and are not loaded now, in the recording's order. */
    public List<String> missingNow() {
      Set<String> now = new HashSet<>();
      replayed.hooks().forEach(hook -> now.add(hook.hook()));
      return recorded.recording().hooks().stream()
          .map(Recording.Hook::name)
          .filter(name -> !now.contains(name))
          .toList();
    }

    /**
     * The recorded side, each hook's outcome and then its interactions, a line each; made when
     * asked (a diff view of a disagreement), not for every event a replay compares.
     */
    public List<String> recordedLines() {
      List<String> lines = new ArrayList<>();
      for (Recording.Hook hook : recorded.recording().hooks()) {
        lines.add(hook.name() + ": " + hook.outcome());
        hook.interactions().forEach(call -> lines.add("    " + line(call)));
      }
      return lines;
    }

    /** The replayed side, as {@link #recordedLines()} shows the recorded one. */
    public List<String> replayedLines() {
      List<String> lines = new ArrayList<>();
      for (HookOutcome hook : replayed.hooks()) {
        lines.add(hook.hook() + ": " + hook.status().wireName());
        hook.interactions().forEach(call -> lines.add("    " + line(call)));
      }
      return lines;
    }
  }

  /** The phase's hooks now that the recording does not name: it was made before they were added. */
  static List<String> notRecorded(RecordedEvent recorded, List<String> phaseHooks) {
    return phaseHooks.stream().filter(hook -> !recorded.recording().names(hook)).toList();
  }

  public static Comparison compare(RecordedEvent recorded, DispatchResult now) {
    return compare(recorded, now, List.of());
  }

  /** {@code notReplayed}: the hooks left out of the replay, as {@link #notRecorded} found them. */
  public static Comparison compare(
      RecordedEvent recorded, DispatchResult now, List<String> notReplayed) {
    List<String> differences = new ArrayList<>();
    Map<String, Recording.Hook> before = new HashMap<>();
    recorded.recording().hooks().forEach(h -> before.put(h.name(), h));
    int count = 0;
    for (HookOutcome hook : now.hooks()) {
      Recording.Hook then = before.remove(hook.hook());
      if (then == null) {
        differences.add(hook.hook() + ": new hook (" + hook.status().wireName() + ")");
        continue;
      }
      if (!then.outcome().equals(hook.status().wireName())) {
        differences.add(
            hook.hook()
                + ": was "
                + then.outcome()
                + ", now "
                + hook.status().wireName()
                + (hook.message().isEmpty() ? "" : " (" + hook.message() + ")"));
      }
      List<String> was = then.interactions().stream().map(Replay::line).toList();
      List<String> is = hook.interactions().stream().map(Replay::line).toList();
      count += is.size();
      differences.addAll(diff(hook.hook(), was, is));
    }
    before
        .keySet()
        .forEach(
            name ->
                differences.add(
                    name
                        + ": missing now (it ran in the recording, and no hook folder loaded now"
                        + " has it)"));
    return new Comparison(recorded, now, differences, count, notReplayed);
  }

  /** One interaction as the comparison shows it, named as the recording names it. */
  private static String line(HostInteraction call) {
    String value = call.value();
    String result = call.shownResult();
    String shown =
        value == null
            ? ""
            : " '"
                + (value.length() > 60 ? value.substring(0, 60) + "..." : value)
                    .replace("\n", "\\n")
                + "'";
    return RecordingCodec.kindName(call)
        + " "
        + RecordingCodec.targetName(call)
        + shown
        + " -> "
        + (result.length() > 60 ? result.substring(0, 60) + "..." : result).replace("\n", "\\n");
  }

  /** A line diff of two interaction lists (longest common subsequence): "- was" and "+ now". */
  static List<String> diff(String hook, List<String> was, List<String> is) {
    if (was.equals(is)) {
      return List.of(); // what nearly every replayed hook gives: no table to fill
    }
    int[][] lcs = new int[was.size() + 1][is.size() + 1];
    for (int i = was.size() - 1; i >= 0; i--) {
      for (int j = is.size() - 1; j >= 0; j--) {
        lcs[i][j] =
            was.get(i).equals(is.get(j))
                ? lcs[i + 1][j + 1] + 1
                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> out = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < was.size() || j < is.size()) {
      if (i < was.size() && j < is.size() && was.get(i).equals(is.get(j))) {
        i++;
        j++;
      } else if (i < was.size() && (j == is.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
        out.add(hook + ": - " + was.get(i++)); // what was recorded first, then what happens now
      } else {
        out.add(hook + ": + " + is.get(j++));
      }
    }
    return out;
  }
}
