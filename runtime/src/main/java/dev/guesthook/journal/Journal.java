package dev.guesthook.journal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.devices.Change;
import dev.guesthook.id.VmId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One guest's crash journal, {@code /var/lib/guesthook/journal/<vmid>.jsonl}: before each change a
 * device operation makes for the guest, an intent line (synced to disk before the change is made),
 * after it a result line; and a line when a pre-start has succeeded. It stays while the guest holds
 * what it lists, is undone by a reconcile when the guest is not running, and goes when nothing is left.
 * A torn last line (a crash while writing) is skipped when read.
 */
public final class Journal {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final VmId vmid;

  public Journal(Path directory, VmId vmid) {
    this.file = directory.resolve(vmid + ".jsonl");
    this.vmid = vmid;
  }

  public VmId vmid() {
    return vmid;
  }

  /** The guests that have a journal in {@code directory}. */
  public static List<VmId> guests(Path directory) {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(f -> f.getFileName().toString())
          .filter(name -> name.matches("[0-9]{3,9}\\.jsonl"))
          .map(name -> VmId.parse(name.substring(0, name.indexOf('.'))))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + directory, e);
    }
  }

  public boolean isEmpty() {
    return changes().isEmpty();
  }

  /** Notes a change before it is made; returns its number for {@link #result}. */
  public int intent(Change change, Instant at) {
    int seq = lines().stream().mapToInt(l -> ((Number) l.getOrDefault("seq", 0)).intValue()).max().orElse(0) + 1;
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("seq", seq);
    line.put("at", at.toString());
    line.put("intent", ChangeCodec.toMap(change));
    append(line);
    return seq;
  }

  /** How change {@code seq} went: {@code ok}, or what failed. */
  public void result(int seq, String result) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("seq", seq);
    line.put("result", result);
    append(line);
  }

  /** Notes that a pre-start succeeded: from here the guest is starting, then running. */
  public void started(Instant at) {
    append(Map.of("started", at.toString()));
  }

  /** When the last pre-start succeeded, if one did since the journal began. */
  public Optional<Instant> lastStarted() {
    return lines().stream().filter(l -> l.containsKey("started")).reduce((a, b) -> b)
        .map(l -> Instant.parse(String.valueOf(l.get("started"))));
  }

  /** Whether a change to {@code target} is noted already (that first note knows how it was before). */
  public boolean has(String target) {
    return changes().stream().anyMatch(change -> change.target().equals(target));
  }

  /**
   * The noted changes in the order they were made. Result lines are for a person reading the file:
   * undoing a change checks the host first, so it does not matter whether the change was made.
   */
  public List<Change> changes() {
    List<Change> out = new ArrayList<>();
    for (Map<String, Object> line : lines()) {
      if (line.get("seq") instanceof Number && line.get("intent") instanceof Map<?, ?> intent) {
        try {
          Instant.parse(String.valueOf(line.get("at"))); // an intent line as guesthook writes it
          out.add(ChangeCodec.fromMap(intent));
        } catch (RuntimeException unreadable) {
          // A line this version cannot read is no change it can undo; it stays in the file for a person.
        }
      }
    }
    return out;
  }

  /** Forgets everything: the guest holds nothing any more. */
  public void clear() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  private List<Map<String, Object>> lines() {
    List<String> text;
    try {
      text = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (String line : text) {
      try {
        out.add(JSON.readValue(line, new TypeReference<LinkedHashMap<String, Object>>() {}));
      } catch (IOException torn) {
        // Torn by a crash mid-write: that change was not made yet, the intent did not reach the disk.
      }
    }
    return out;
  }

  /** Appends one line and syncs it, and the folder when the file is new, before returning. */
  private void append(Map<String, Object> line) {
    try {
      Path dir = file.getParent();
      Files.createDirectories(dir);
      boolean created = !Files.exists(file);
      byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
      try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE)) {
        out.write(ByteBuffer.wrap(bytes));
        out.force(true);
      }
      if (created) {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        try (FileChannel folder = FileChannel.open(dir, StandardOpenOption.READ)) {
          folder.force(true);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the journal " + file + ": " + e.getMessage(), e);
    }
  }
}
