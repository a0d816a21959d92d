package dev.guesthook.record;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.pve.GuestType;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.Situation;
import dev.guesthook.id.VmId;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfigParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Replaying one recorded event: the event as it was (time, node, config, situation), the settings each
 * hook was given, and the comparison of what the hooks do now with what they did then, interaction by
 * interaction and hook by hook.
 */
public final class Replay {
  private Replay() {}

  public static LifecycleEvent event(RecordedEvent recorded) throws PveFileException {
    JsonNode e = recorded.doc().path("event");
    return new LifecycleEvent(
        new VmId(e.path("vmid").asInt()),
        Phase.parse(e.path("phase").asText()),
        Arrays.stream(GuestType.values()).filter(t -> t.wireName().equals(e.path("guestType").asText())).findFirst()
            .orElse(GuestType.QEMU),
        e.path("node").asText(),
        Instant.parse(e.path("time").asText()),
        VmConfigParser.parse(e.path("configOrigin").asText("/etc/pve/qemu-server/" + e.path("vmid").asInt() + ".conf"),
            e.path("configText").asText()),
        Arrays.stream(Situation.values()).filter(s -> s.wireName().equals(e.path("situation").asText())).findFirst()
            .orElseThrow(() -> new RecordingException(recorded.file() + ":" + recorded.line() + ": unknown situation")),
        Optional.ofNullable(e.path("migratedFrom").isNull() ? null : e.path("migratedFrom").asText(null)));
  }

  /** What each hook was given when the event was recorded. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> settings(RecordedEvent recorded, String hook) {
    JsonNode given = recorded.doc().path("settings").path(hook);
    return given.isMissingNode() ? Map.of() : RecordingFormat.JSON.convertValue(given, Map.class);
  }

  /** How one replayed event compares with its recording. */
  public record Comparison(RecordedEvent recorded, List<String> differences, int interactions) {
    public boolean agrees() {
      return differences.isEmpty();
    }
  }

  public static Comparison compare(RecordedEvent recorded, DispatchResult now) {
    List<String> differences = new ArrayList<>();
    Map<String, JsonNode> before = new HashMap<>();
    recorded.doc().path("hooks").forEach(h -> before.put(h.path("name").asText(), h));
    int count = 0;
    for (HookOutcome hook : now.hooks()) {
      JsonNode then = before.remove(hook.hook());
      if (then == null) {
        differences.add(hook.hook() + ": new hook (" + hook.status().wireName() + ")");
        continue;
      }
      if (!then.path("outcome").asText().equals(hook.status().wireName())) {
        differences.add(hook.hook() + ": was " + then.path("outcome").asText() + ", now " + hook.status().wireName()
            + (hook.message().isEmpty() ? "" : " (" + hook.message() + ")"));
      }
      List<String> was = new ArrayList<>();
      then.path("interactions").forEach(call -> was.add(line(call.path("kind").asText(), call.path("target").asText(),
          call.path("value").isNull() ? null : call.path("value").asText(), call.path("result").asText())));
      List<String> is = new ArrayList<>();
      for (HostInteraction call : hook.interactions()) {
        is.add(line(call.kind().wireName(), call.target(), call.value(), call.result()));
      }
      count += is.size();
      differences.addAll(diff(hook.hook(), was, is));
    }
    before.keySet().forEach(name -> differences.add(name + ": missing now (it ran in the recording)"));
    return new Comparison(recorded, differences, count);
  }

  private static String line(String kind, String target, String value, String result) {
    String shown = value == null ? "" : " '" + (value.length() > 60 ? value.substring(0, 60) + "..." : value).replace("\n", "\\n") + "'";
    return kind + " " + target + shown + " -> " + (result.length() > 60 ? result.substring(0, 60) + "..." : result).replace("\n", "\\n");
  }

  /** A line diff of two interaction lists (longest common subsequence): "- was" and "+ now". */
  static List<String> diff(String hook, List<String> was, List<String> is) {
    int[][] lcs = new int[was.size() + 1][is.size() + 1];
    for (int i = was.size() - 1; i >= 0; i--) {
      for (int j = is.size() - 1; j >= 0; j--) {
        lcs[i][j] = was.get(i).equals(is.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
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
