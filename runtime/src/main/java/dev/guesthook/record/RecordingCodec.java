package dev.guesthook.record;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.Situation;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.HostInteraction.Kind;
import dev.guesthook.host.HostInteraction.Result;
import dev.guesthook.host.HostPath;
import dev.guesthook.id.Printable;
import dev.guesthook.id.VmId;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one reader and writer of the recording format: a {@link Recording} as one JSON line, and
 * back. Version 1:
 *
 * <pre>
 * {"format":"guesthook-recording","version":1,
 *  "event":{"vmid":501,"phase":"pre-start","situation":"start","guestType":"qemu","node":"pve1",
 *           "time":"2026-11-24T19:00:00Z","migratedFrom":null,"config":{...current keys...},
 *           "configOrigin":"/etc/pve/qemu-server/501.conf","configText":"...the file as read..."},
 *  "settings":{"sriov-vf":{"vfs":[...]}},   (what each hook was given, from guesthook.yaml and the VM's file)
 *  "outcome":"ok","exitCode":0,
 *  "hooks":[{"name":"sriov-vf","origin":"/usr/share/guesthook/hooks/stock/sriov-vf.groovy","outcome":"ok",
 *            "durationMs":42,"message":"",
 *            "interactions":[{"kind":"write","target":"/sys/...","value":"4","result":"ok","failed":false}, ...],
 *            "undo":[{"description":"...","ok":true,"message":""}]}]}
 * </pre>
 *
 * An interaction's result is written as the timeline shows it ({@code ok}, the value read, {@code
 * true}, names joined by spaces, {@code (not a link)}, {@code RAN exit=0} with the output in {@code
 * value}, {@code ENOENT: message} with {@code failed}); a statvfs is written as a read of {@code
 * statvfs <path>}. Reading types each one again by its kind, so no other class parses these
 * strings.
 */
public final class RecordingCodec {
  public static final String FORMAT = "guesthook-recording";
  public static final int VERSION = 1;
  private static final ObjectMapper JSON = Json.MAPPER;
  private static final String STATVFS = "statvfs ";

  /** Each kind by its name in a record, looked up for every interaction read. */
  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]*");

  private static final Map<String, Kind> KINDS =
      Arrays.stream(Kind.values()).collect(Collectors.toUnmodifiableMap(Kind::wireName, k -> k));

  private static final TypeReference<Map<String, Map<String, Object>>> SETTINGS =
      new TypeReference<>() {};

  private RecordingCodec() {}

  /**
   * A line that cannot be read as a record: the reader skips it with a warning naming file and
   * line.
   */
  public static class Damaged extends Exception {
    Damaged(String message) {
      super(message);
    }
  }

  /**
   * A record of a format version this guesthook does not read: it cannot know what the record
   * means.
   */
  public static final class UnknownVersion extends Damaged {
    UnknownVersion(String message) {
      super(message);
    }
  }

  /**
   * The line (without its newline) for one recording, written field by field as it goes: a phase
   * writes one per call, and building a tree first (with the settings through a token buffer) was
   * most of the recording's cost.
   */
  public static String write(Recording recording) {
    StringWriter line = new StringWriter(1024);
    try (JsonGenerator out = JSON.createGenerator(line)) {
      out.writeStartObject();
      out.writeStringField("format", FORMAT);
      out.writeNumberField("version", VERSION);
      event(out, recording.event());
      out.writeObjectField("settings", recording.settings());
      out.writeStringField("outcome", recording.outcome());
      out.writeNumberField("exitCode", recording.exitCode());
      out.writeArrayFieldStart("hooks");
      for (Recording.Hook hook : recording.hooks()) {
        hook(out, hook);
      }
      out.writeEndArray();
      out.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("a recording could not be written as JSON", e);
    }
    return line.toString();
  }

  private static void event(JsonGenerator out, Recording.Event event) throws IOException {
    out.writeObjectFieldStart("event");
    out.writeNumberField("vmid", event.vmid().value());
    out.writeStringField("phase", event.phase().wireName());
    out.writeStringField("situation", event.situation().wireName());
    out.writeStringField("guestType", event.guestType());
    out.writeStringField("node", event.node());
    out.writeStringField("time", event.time().toString());
    out.writeStringField("migratedFrom", event.migratedFrom().orElse(null));
    out.writeObjectFieldStart("config");
    for (Map.Entry<String, String> entry : event.config().entrySet()) {
      out.writeStringField(entry.getKey(), entry.getValue());
    }
    out.writeEndObject();
    out.writeStringField("configOrigin", event.configOrigin().orElse(null));
    out.writeStringField("configText", event.configText());
    out.writeEndObject();
  }

  private static void hook(JsonGenerator out, Recording.Hook hook) throws IOException {
    out.writeStartObject();
    out.writeStringField("name", hook.name());
    out.writeStringField("origin", hook.origin());
    out.writeStringField("outcome", hook.outcome());
    out.writeNumberField("durationMs", hook.durationMs());
    out.writeStringField("message", hook.message());
    out.writeArrayFieldStart("interactions");
    for (HostInteraction call : hook.interactions()) {
      out.writeStartObject();
      out.writeStringField("kind", kindName(call));
      out.writeStringField("target", targetName(call));
      out.writeStringField("value", call.value());
      out.writeStringField("result", call.shownResult());
      out.writeBooleanField("failed", call.failed());
      out.writeEndObject();
    }
    out.writeEndArray();
    out.writeArrayFieldStart("undo");
    for (Recording.Undo undo : hook.undo()) {
      out.writeStartObject();
      out.writeStringField("description", undo.description());
      out.writeBooleanField("ok", undo.ok());
      out.writeStringField("message", undo.message());
      out.writeEndObject();
    }
    out.writeEndArray();
    out.writeEndObject();
  }

  /** The kind as version 1 names it: a statvfs is a read. */
  static String kindName(HostInteraction call) {
    return call.kind() == Kind.STATVFS ? Kind.READ.wireName() : call.kind().wireName();
  }

  /** The target as version 1 names it: a statvfs's path follows the word {@code statvfs}. */
  static String targetName(HostInteraction call) {
    return call.kind() == Kind.STATVFS ? STATVFS + call.target() : call.target();
  }

  /** One line read back; blank lines are the reader's business. */
  public static Recording read(String line) throws Damaged {
    JsonNode doc;
    try {
      doc = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new Damaged("not a complete record (torn by a crash?)");
    }
    if (!FORMAT.equals(doc.path("format").asText())) {
      throw new Damaged("not a guesthook record");
    }
    int version = doc.path("version").asInt(-1);
    if (version != VERSION) {
      throw new UnknownVersion(
          "recording format version "
              + version
              + (version > VERSION ? " is newer than" : " is not")
              + " the one this guesthook reads ("
              + VERSION
              + ")");
    }
    try {
      return new Recording(
          event(doc.path("event")),
          settings(doc.path("settings")),
          required(doc.path("outcome"), "outcome"),
          doc.path("exitCode").asInt(),
          hooks(doc.path("hooks")));
    } catch (IllegalArgumentException e) {
      throw new Damaged(e.getMessage());
    }
  }

  /** Each field checked here, so that no reader of the record meets a bad one later. */
  private static Recording.Event event(JsonNode e) throws Damaged {
    VmId vmid = VmId.parse(e.path("vmid").asText());
    Phase phase = Phase.parse(e.path("phase").asText());
    Instant time;
    try {
      time = Instant.parse(e.path("time").asText());
    } catch (DateTimeParseException x) {
      throw new Damaged(
          "invalid time '"
              + e.path("time").asText()
              + "': expected an instant such as 2026-11-24T19:00:00Z");
    }
    String situationName = e.path("situation").asText();
    Situation situation =
        Arrays.stream(Situation.values())
            .filter(s -> s.wireName().equals(situationName))
            .findFirst()
            .orElseThrow(() -> new Damaged("unknown situation '" + situationName + "'"));
    Map<String, String> config = new LinkedHashMap<>();
    e.path("config")
        .fields()
        .forEachRemaining(entry -> config.put(entry.getKey(), entry.getValue().asText()));
    return new Recording.Event(
        vmid,
        phase,
        situation,
        text(e.path("guestType")),
        text(e.path("node")),
        time,
        Optional.ofNullable(text(e.path("migratedFrom"))),
        config,
        Optional.ofNullable(text(e.path("configOrigin"))),
        required(e.path("configText"), "event.configText"));
  }

  private static Map<String, Map<String, Object>> settings(JsonNode settings) {
    return settings.isObject() ? JSON.convertValue(settings, SETTINGS) : Map.of();
  }

  private static List<Recording.Hook> hooks(JsonNode hooks) throws Damaged {
    List<Recording.Hook> out = new ArrayList<>();
    for (JsonNode h : hooks) {
      List<HostInteraction> interactions = new ArrayList<>();
      for (JsonNode call : h.path("interactions")) {
        interactions.add(interaction(call));
      }
      List<Recording.Undo> undo = new ArrayList<>();
      h.path("undo")
          .forEach(
              u ->
                  undo.add(
                      new Recording.Undo(
                          text(u.path("description")),
                          u.path("ok").asBoolean(),
                          text(u.path("message")))));
      out.add(
          new Recording.Hook(
              text(h.path("name")),
              text(h.path("origin")),
              required(h.path("outcome"), "a hook's outcome"),
              h.path("durationMs").asLong(),
              text(h.path("message")),
              List.copyOf(interactions),
              List.copyOf(undo)));
    }
    return List.copyOf(out);
  }

  private static HostInteraction interaction(JsonNode call) throws Damaged {
    String kindName = call.path("kind").asText();
    String target = call.path("target").asText();
    Kind kind = KINDS.get(kindName);
    if (kind == null) {
      throw new Damaged("unknown interaction kind '" + kindName + "'");
    }
    if (kind == Kind.READ && target.startsWith(STATVFS)) {
      kind = Kind.STATVFS;
      target = target.substring(STATVFS.length());
    }
    String value = text(call.path("value"));
    String shown = call.path("result").asText();
    Result result = call.path("failed").asBoolean() ? errno(shown) : answer(kind, shown, value);
    return new HostInteraction(kind, target, value, result);
  }

  private static HostInteraction.Errno errno(String shown) {
    int colon = shown.indexOf(": ");
    return colon > 0
        ? new HostInteraction.Errno(shown.substring(0, colon), shown.substring(colon + 2))
        : new HostInteraction.Errno("EIO", shown);
  }

  /** The value the port returned, typed by the kind of question. */
  private static Result answer(Kind kind, String shown, String value) throws Damaged {
    return switch (kind) {
      case READ -> new HostInteraction.Text(shown);
      case READ_BYTES -> new HostInteraction.Text(hex(shown));
      case WRITE, MKDIR, DELETE -> new HostInteraction.Done();
      case EXISTS -> new HostInteraction.Flag(shown.equals("true"));
      case LIST ->
          new HostInteraction.Names(shown.isEmpty() ? List.of() : List.of(shown.split(" ")));
      case READLINK ->
          new HostInteraction.Link(
              shown.startsWith("/") ? Optional.of(HostPath.parse(shown)) : Optional.empty());
      case STATVFS -> new HostInteraction.Bytes(number(shown, "usable bytes"));
      case QUERY, RUN -> new HostInteraction.Ran(command(shown, value));
    };
  }

  /**
   * A binary read's bytes, as hex: an edited line that is not is a damaged record, not a hook's.
   */
  private static String hex(String shown) throws Damaged {
    if (shown.length() % 2 != 0 || !HEX.matcher(shown).matches()) {
      throw new Damaged("a binary read's result is not hex bytes: " + Printable.of(shown));
    }
    return shown;
  }

  /** {@code RAN exit=0}, the output in the value. */
  private static CommandResult command(String shown, String output) throws Damaged {
    String[] parts = shown.split(" exit=", 2);
    try {
      return new CommandResult(
          CommandResult.Status.valueOf(parts[0]),
          Integer.parseInt(parts[parts.length - 1]),
          output == null ? "" : output);
    } catch (IllegalArgumentException e) { // a number format exception too
      throw new Damaged("command result '" + shown + "' is not STATUS exit=N");
    }
  }

  private static long number(String text, String what) throws Damaged {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new Damaged(what + " '" + text + "' is not a number");
    }
  }

  /** A string field; JSON null stays null, so a record reads and writes back the same. */
  /**
   * A field every reader of the record relies on: missing or JSON null makes the record damaged
   * (skipped with its file and line), not a failure later in a replay.
   */
  private static String required(JsonNode node, String what) {
    if (!node.isValueNode() || node.isNull()) {
      throw new IllegalArgumentException(what + " is missing");
    }
    return node.asText();
  }

  private static String text(JsonNode node) {
    return node.isNull() ? null : node.asText();
  }
}
