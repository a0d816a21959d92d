package dev.guesthook.journal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.devices.Change;
import dev.guesthook.files.SafeFiles;
import dev.guesthook.id.PciAddress;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads one journal file line by line, never trusting it: lines within its first {@link #MAX_BYTES}
 * (beyond them only the devices named, {@link JournalTail}), a symbolic link or anything but a
 * regular file not at all, and each line on its own, so one bad line costs that line only. A line
 * that cannot be read (not UTF-8, not a JSON object, a field of the wrong type, torn by a crash)
 * becomes a {@link JournalProblem} naming file and line and the devices its text mentions, however
 * spelled.
 */
final class JournalReader {
  /**
   * A journal holds an intent (about 130 to 250 bytes) and a result per change, one change per
   * device target a pre-start hands to the guest, and a line per successful start: a few kB for a
   * guest with a dozen devices. 1 MiB is over 3000 changes, and reading it costs a few
   * milliseconds.
   */
  static final int MAX_BYTES = 1 << 20;

  private static final ObjectMapper JSON = Json.MAPPER;

  private final Path file;
  private final List<Change> changes = new ArrayList<>();
  private final List<JournalProblem> problems = new ArrayList<>();
  private Optional<Instant> lastStarted = Optional.empty();
  private int lastSeq;

  private JournalReader(Path file) {
    this.file = file;
  }

  static JournalReading read(Path file) {
    return new JournalReader(file).readAll();
  }

  private JournalReading readAll() {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return JournalReading.NONE;
    } catch (IOException e) {
      return whole("cannot be read: " + e.getMessage());
    }
    if (!attributes.isRegularFile()) {
      return whole(
          (attributes.isDirectory()
                  ? "a directory"
                  : attributes.isSymbolicLink() ? "a symbolic link" : "not a regular file")
              + " where the guest's journal should be; never read");
    }
    // Reached through a linked or foreign folder, what the journal says could be anyone's: a
    // reconcile acting on it moved another guest's GPU. Read only from a trusted folder.
    Optional<String> folder = SafeFiles.folderProblem(file.getParent());
    if (folder.isPresent()) {
      return whole("its folder cannot be trusted: " + folder.get() + "; never read");
    }
    try {
      lines(head(file));
    } catch (IOException e) {
      return whole("cannot be read: " + e.getMessage());
    }
    return new JournalReading(List.copyOf(changes), lastStarted, lastSeq, List.copyOf(problems));
  }

  private JournalReading whole(String message) {
    return new JournalReading(
        List.of(), Optional.empty(), 0, List.of(new JournalProblem(file, 0, message, Set.of())));
  }

  /** The first {@link #MAX_BYTES} bytes and one more, so that a longer file shows it is longer. */
  private static byte[] head(Path file) throws IOException {
    try (SeekableByteChannel in =
        Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(in.size(), MAX_BYTES) + 1);
      while (buffer.hasRemaining() && in.read(buffer) > 0) {
        // until the bound or the end of the file
      }
      byte[] out = new byte[buffer.position()];
      buffer.flip().get(out);
      return out;
    }
  }

  private void lines(byte[] bytes) throws IOException {
    boolean cut = bytes.length > MAX_BYTES;
    int end = Math.min(bytes.length, MAX_BYTES);
    int number = 0;
    int start = 0;
    while (start < end) {
      int newline = indexOf(bytes, (byte) '\n', start, end);
      if (newline < 0) {
        break;
      }
      line(++number, bytes, start, newline);
      start = newline + 1;
    }
    if (cut) {
      beyondTheBound(number + 1, start);
    } else if (start < end) {
      problem(
          number + 1,
          bytes,
          start,
          end,
          "torn last line (a write cut short or a crash while writing)");
    }
  }

  /** The line the bound falls in and everything after it: held for every device it names. */
  private void beyondTheBound(int number, long from) throws IOException {
    JournalTail tail = JournalTail.scan(file, from);
    problems.add(new JournalProblem(file, number, tail.describe(), tail.devices()));
  }

  private void line(int number, byte[] bytes, int start, int stop) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, start, stop - start))
              .toString();
    } catch (CharacterCodingException e) {
      problem(number, bytes, start, stop, "not UTF-8");
      return;
    }
    if (text.isBlank()) {
      return;
    }
    try {
      entry(JSON.readTree(text));
    } catch (IOException | RuntimeException e) {
      problem(number, bytes, start, stop, unreadable(e));
    }
  }

  /** One line as guesthook writes it: an intent, a result or a start; anything else is refused. */
  private void entry(JsonNode line) throws IOException {
    if (line == null || !line.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    if (line.has("intent")) {
      int seq = seq(line);
      Instant.parse(text(line, "at"));
      if (!line.get("intent").isObject()) {
        throw new IllegalArgumentException("'intent' is not an object");
      }
      changes.add(ChangeCodec.fromMap(JSON.treeToValue(line.get("intent"), Map.class)));
      lastSeq = Math.max(lastSeq, seq);
    } else if (line.has("result")) {
      seq(line);
      text(line, "result");
    } else if (line.has("started")) {
      lastStarted = Optional.of(Instant.parse(text(line, "started")));
    } else {
      throw new IllegalArgumentException("neither an intent, a result nor a start");
    }
  }

  private static int seq(JsonNode line) {
    JsonNode seq = line.get("seq");
    if (seq == null || !seq.canConvertToInt() || !seq.isIntegralNumber()) {
      throw new IllegalArgumentException("'seq' is not a whole number");
    }
    return seq.intValue();
  }

  private static String text(JsonNode line, String key) {
    JsonNode value = line.get(key);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("'" + key + "' is not a string");
    }
    return value.textValue();
  }

  private static String unreadable(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int end = message.indexOf('\n');
    return "unreadable: " + (end > 0 ? message.substring(0, end) : message);
  }

  private void problem(int number, byte[] bytes, int start, int stop, String message) {
    Set<PciAddress> named = new LinkedHashSet<>();
    NamedDevices.addTo(named, bytes, start, stop);
    problems.add(new JournalProblem(file, number, message, named));
  }

  private static int indexOf(byte[] bytes, byte wanted, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }
}
