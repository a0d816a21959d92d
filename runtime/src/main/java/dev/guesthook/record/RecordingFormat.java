package dev.guesthook.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.json.Json;
import java.util.Map;
import java.util.TreeMap;

/**
 * One recorded event as one JSON line. Version 1:
 * <pre>
 * {"format":"guesthook-recording","version":1,
 *  "event":{"vmid":501,"phase":"pre-start","situation":"start","guestType":"qemu","node":"pve1",
 *           "time":"2026-11-24T19:00:00Z","migratedFrom":null,"config":{...current keys...},
 *           "configText":"...the file as read..."},
 *  "settings":{"sriov-vf":{"vfs":[...]}},   (what each hook was given, from guesthook.yaml and the VM's file)
 *  "outcome":"ok","exitCode":0,
 *  "hooks":[{"name":"sriov-vf","origin":"/usr/share/guesthook/hooks/stock/sriov-vf.groovy","outcome":"ok",
 *            "durationMs":42,"message":"",
 *            "interactions":[{"kind":"write","target":"/sys/...","value":"4","result":"ok","failed":false}, ...],
 *            "undo":[{"description":"...","ok":true,"message":""}]}]}
 * </pre>
 * Every host interaction is there in order, with the value a read saw and the result a write or command
 * had: enough to answer the same questions again in a replay.
 */
public final class RecordingFormat {
  public static final String FORMAT = "guesthook-recording";
  public static final int VERSION = 1;
  static final ObjectMapper JSON = Json.MAPPER;

  private RecordingFormat() {}

  /** The line for one event; {@code settings} are the settings each hook was given. */
  public static String line(DispatchResult result, Map<String, Map<String, Object>> settings) {
    LifecycleEvent event = LifecycleEvent.of(result.event());
    ObjectNode doc = JSON.createObjectNode().put("format", FORMAT).put("version", VERSION);
    ObjectNode e = doc.putObject("event")
        .put("vmid", event.vmid().value())
        .put("phase", event.phase().wireName())
        .put("situation", event.situation().wireName())
        .put("guestType", event.guestType().wireName())
        .put("node", event.node())
        .put("time", event.time().toString())
        .put("migratedFrom", event.migratedFrom().orElse(null));
    ObjectNode config = e.putObject("config");
    event.config().current().forEach(config::put);
    e.put("configOrigin", event.config().origin());
    e.put("configText", event.config().rawText());
    doc.set("settings", JSON.valueToTree(new TreeMap<>(settings)));
    doc.put("outcome", result.overall());
    doc.put("exitCode", result.exitCode(false));
    ArrayNode hooks = doc.putArray("hooks");
    for (HookOutcome hook : result.hooks()) {
      ObjectNode h = hooks.addObject()
          .put("name", hook.hook())
          .put("origin", hook.origin())
          .put("outcome", hook.status().wireName())
          .put("durationMs", hook.duration().toMillis())
          .put("message", hook.message());
      ArrayNode interactions = h.putArray("interactions");
      for (HostInteraction call : hook.interactions()) {
        interactions.add(interaction(call));
      }
      ArrayNode undo = h.putArray("undo");
      hook.undo().forEach(u -> undo.addObject().put("description", u.description()).put("ok", u.ok()).put("message", u.message()));
    }
    return doc.toString();
  }

  static ObjectNode interaction(HostInteraction call) {
    return JSON.createObjectNode()
        .put("kind", call.kind().wireName())
        .put("target", call.target())
        .put("value", call.value())
        .put("result", call.result())
        .put("failed", call.failed());
  }
}
