package dev.guesthook.cluster;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.guesthook.files.SafeFiles;
import dev.guesthook.json.Json;
import dev.guesthook.lock.Locks;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * This node's ring kept on its own disk ({@code /var/lib/guesthook/cluster/events.jsonl}, one entry
 * a line), so events of a node without quorum are published once it has it again. Appending reads
 * only the file's tail (never the recordings) and writes one block; the file is cut back to the
 * ring once it has grown to four rings. Entries are numbered under a lock across processes, as two
 * one-shot phases of a node may end together.
 */
final class EventLog {
  private static final String LOCK = "cluster-events";
  private static final Duration LOCK_WAIT = Duration.ofSeconds(5);
  private static final int COMPACT_AT = 4 * EventRing.MAX_BYTES;

  /** Room kept in the published file for its head ({@code format}, {@code node}, ...). */
  private static final int HEAD_ROOM = 256;

  private static final String SEQ = "{\"seq\":";

  private final Path file;
  private final Locks locks;

  private EventLog(Path file, Locks locks) {
    this.file = file;
    this.locks = locks;
  }

  static EventLog under(Path root, Locks locks) {
    return new EventLog(root.resolve("var/lib/guesthook/cluster/events.jsonl"), locks);
  }

  Path file() {
    return file;
  }

  /**
   * Adds the entries, numbered after the newest; blocking, within the lock. Returns the ring as it
   * is then ({@link #recent}), from the tail it read already.
   */
  List<String> append(List<EventRing.Entry> entries) throws IOException {
    if (entries.isEmpty()) {
      return recent();
    }
    try (Locks.Held held =
        locks.acquire(LOCK, "events of pid " + ProcessHandle.current().pid(), LOCK_WAIT)) {
      Tail tail = tail();
      List<String> ring = new ArrayList<>(tail.lines());
      long seq = lastSeq(ring);
      // A line cut by a full disk or a crash is ended first: an entry written straight after it
      // would make one line of both, which a reader cannot take.
      StringBuilder lines = new StringBuilder(tail.endsCut() ? "\n" : "");
      for (EventRing.Entry entry : entries) {
        String line = line(entry.numbered(++seq));
        lines.append(line).append('\n');
        ring.add(line);
      }
      long size;
      try (FileChannel out =
          SafeFiles.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          out.write(bytes);
        }
        size = out.size();
      }
      if (size > COMPACT_AT) {
        compact();
      }
      return bounded(ring);
    }
  }

  /**
   * An entry as one line of JSON, written field by field: a one-shot process would otherwise pay
   * Jackson's first look at the record types (20-50 ms, measured) after every phase. {@code seq}
   * comes first, as {@link #lastSeq} reads it.
   */
  static String line(EventRing.Entry entry) throws IOException {
    StringWriter text = new StringWriter();
    try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(text)) {
      json.writeStartObject();
      json.writeNumberField("seq", entry.seq());
      json.writeStringField("time", entry.time());
      json.writeNumberField("vmid", entry.vmid());
      json.writeStringField("phase", entry.phase());
      json.writeStringField("situation", entry.situation());
      if (entry.migratedFrom() != null) {
        json.writeStringField("migratedFrom", entry.migratedFrom());
      }
      json.writeStringField("outcome", entry.outcome());
      json.writeNumberField("durationMs", entry.durationMs());
      json.writeArrayFieldStart("hooks");
      for (EventRing.HookRun hook : entry.hooks()) {
        json.writeStartObject();
        json.writeStringField("name", hook.name());
        json.writeStringField("outcome", hook.outcome());
        json.writeNumberField("durationMs", hook.durationMs());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeObjectFieldStart("changes");
      json.writeNumberField("made", entry.changes().made());
      json.writeNumberField("undone", entry.changes().undone());
      json.writeArrayFieldStart("shown");
      for (String shown : entry.changes().shown()) {
        json.writeString(shown);
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeEndObject();
    }
    return text.toString();
  }

  /** The newest whole entries within the ring's bounds, oldest first, as their lines hold them. */
  List<String> recent() throws IOException {
    return bounded(tail().lines());
  }

  /** The seq of the newest entry among {@code lines}, 0 when none. */
  static long lastSeq(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i);
      int end = SEQ.length();
      while (end < line.length() && Character.isDigit(line.charAt(end))) {
        end++;
      }
      if (end > SEQ.length() && end - SEQ.length() < 19) {
        return Long.parseLong(line.substring(SEQ.length(), end));
      }
    }
    return 0;
  }

  /** The newest lines that fit {@link EventRing#MAX_ENTRIES} and {@link EventRing#MAX_BYTES}. */
  static List<String> bounded(List<String> lines) {
    Deque<String> kept = new ArrayDeque<>();
    int bytes = HEAD_ROOM;
    for (int i = lines.size() - 1; i >= 0 && kept.size() < EventRing.MAX_ENTRIES; i--) {
      int size = lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
      if (bytes + size > EventRing.MAX_BYTES) {
        break;
      }
      bytes += size;
      kept.addFirst(lines.get(i));
    }
    return new ArrayList<>(kept);
  }

  /** The file's last whole entries, and whether its last line is cut (no newline at its end). */
  private record Tail(List<String> lines, boolean endsCut) {}

  /**
   * The whole lines of the file's last ring's worth of bytes that are whole entries (a line cut by
   * a crash or a full disk is left out, and so is one that a cut line ran into). The lines are this
   * node's own, written by this class.
   */
  private Tail tail() throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new Tail(List.of(), false);
    }
    byte[] bytes;
    long from;
    try (FileChannel in = SafeFiles.open(file, StandardOpenOption.READ)) {
      from = Math.max(0, in.size() - EventRing.MAX_BYTES);
      ByteBuffer buffer = ByteBuffer.allocate((int) (in.size() - from));
      in.position(from);
      while (buffer.hasRemaining() && in.read(buffer) >= 0) {
        // read to the end
      }
      bytes = buffer.array();
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    List<String> lines = new ArrayList<>();
    int start = from == 0 ? 0 : text.indexOf('\n') + 1; // the first may be a line's end only
    for (int end = text.indexOf('\n', start); end >= 0; end = text.indexOf('\n', start)) {
      String line = text.substring(start, end);
      if (line.startsWith(SEQ) && isOneObject(line)) {
        lines.add(line);
      }
      start = end + 1;
    }
    return new Tail(lines, !text.isEmpty() && !text.endsWith("\n"));
  }

  /**
   * Whether {@code line} is one JSON object, as far as its braces, brackets and strings show: each
   * opened one closed, none before the end. A cheap check, not a parse: it tells a whole line from
   * a cut one, or from one that a cut line ran into.
   */
  static boolean isOneObject(String line) {
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth == 0 && i != line.length() - 1 || depth < 0) {
          return false;
        }
      }
    }
    return depth == 0 && !inString && line.endsWith("}");
  }

  /** Cuts the file back to the ring: written beside, renamed over. */
  private void compact() throws IOException {
    List<String> ring = recent();
    Path beside = file.resolveSibling("." + file.getFileName() + ".new");
    SafeFiles.writeString(beside, String.join("\n", ring) + (ring.isEmpty() ? "" : "\n"));
    Files.move(beside, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
