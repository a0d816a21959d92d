package dev.guesthook.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.devices.Change;
import dev.guesthook.files.SafeFiles;
import dev.guesthook.id.VmId;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One guest's crash journal, {@code /var/lib/guesthook/journal/<vmid>.jsonl}: before each change a
 * device operation makes for the guest, an intent line, whole on disk before the change is made (or
 * the change is not made); after it a result line; and a line when a pre-start has succeeded. It
 * stays while the guest holds what it lists, is undone by a reconcile when the guest is not
 * running, and goes when nothing is left. It is read line by line and never trusted ({@link
 * JournalReader}).
 */
public final class Journal {
  private static final ObjectMapper JSON = Json.MAPPER;

  private final Path file;
  private final VmId vmid;
  private final WriteFaults faults;

  /** For reading (and writing without injected faults). */
  public Journal(Path directory, VmId vmid) {
    this(directory, vmid, WriteFaults.NONE);
  }

  Journal(Path directory, VmId vmid, WriteFaults faults) {
    this.file = directory.resolve(vmid + JournalFolder.SUFFIX);
    this.vmid = vmid;
    this.faults = faults;
  }

  public VmId vmid() {
    return vmid;
  }

  public Path file() {
    return file;
  }

  /** What the journal says, and which of its lines cannot be read. */
  public JournalReading read() {
    return JournalReader.read(file);
  }

  /**
   * Nothing noted (unreadable lines aside: see {@link JournalReading#isEmpty}). No file, or a link
   * leading nowhere (never read: no changes either), is looked for with {@code java.io.File}, which
   * throws nothing: NIO's read throws and catches a NoSuchFileException, at every start of a guest
   * whose hooks noted nothing.
   */
  public boolean isEmpty() {
    return !file.toFile().exists() || changes().isEmpty();
  }

  /**
   * Notes a change before it is made; returns its number for {@link #result}. When the line cannot
   * be made whole on disk it is taken back and this throws: the caller must not make the change.
   */
  public int intent(Change change, Instant at) {
    int seq = read().lastSeq() + 1;
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("seq", seq);
    line.put("at", at.toString());
    line.put("intent", ChangeCodec.toMap(change));
    try {
      append("intent", line);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot note "
              + change.target()
              + " in the journal "
              + file
              + ": "
              + e.getMessage()
              + "; the change is not made",
          e);
    }
    return seq;
  }

  /**
   * How change {@code seq} went: {@code ok}, or what failed. Tried twice; if the disk still
   * refuses, nothing is lost: the whole intent before it lists the change, and a reconcile checks
   * the host for every intent, with or without a result.
   */
  public void result(int seq, String result) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("seq", seq);
    line.put("result", result);
    if (!appended("result", line)) {
      appended("result", line);
    }
  }

  /** Notes that a pre-start succeeded: from here the guest is starting, then running. */
  public void started(Instant at) {
    try {
      append("started", Map.of("started", at.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot note the start in the journal " + file + ": " + e.getMessage(), e);
    }
  }

  /** When the last pre-start succeeded, if one did since the journal began. */
  public Optional<Instant> lastStarted() {
    return read().lastStarted();
  }

  /**
   * Whether a change to {@code target} is noted already (that first note knows how it was before).
   */
  public boolean has(String target) {
    return changes().stream().anyMatch(change -> change.target().equals(target));
  }

  /**
   * The noted changes in the order they were made. Result lines are for a person reading the file:
   * undoing a change checks the host first, so it does not matter whether the change was made.
   */
  public List<Change> changes() {
    return read().changes();
  }

  /** Forgets everything: the guest holds nothing any more. */
  public void clear() {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return; // the usual case at a pre-start: nothing to delete, so no folder to walk
    }
    try {
      SafeFiles.folder(file.getParent()); // never delete through a planted link
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
    }
  }

  private boolean appended(String kind, Map<String, Object> line) {
    try {
      append(kind, line);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Appends one line, whole, and syncs it (and the folder when the file or the folder is new)
   * before returning. A write the disk cuts short is taken back, so the file never ends in a torn
   * line of ours; a torn line left by a crash is ended first, so it does not swallow this one.
   */
  private void append(String kind, Map<String, Object> line) throws IOException {
    Path dir = file.getParent();
    boolean newFolder = !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS);
    SafeFiles.folder(dir); // each folder from / down checked, none a link; made 0700 where missing
    if (newFolder) {
      sync(dir.getParent());
    }
    boolean created = Files.notExists(file, LinkOption.NOFOLLOW_LINKS);
    try (FileChannel out =
        SafeFiles.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = out.size();
      String text = (endsTorn(out, size) ? "\n" : "") + JSON.writeValueAsString(line) + "\n";
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      out.position(size);
      try {
        LineWriter writer = LineWriter.of(faults.next(kind));
        while (bytes.hasRemaining()) {
          writer.write(out, bytes);
        }
        out.force(true);
      } catch (IOException e) {
        takeBack(out, size);
        throw e;
      }
    }
    if (created) {
      sync(dir);
    }
  }

  private static boolean endsTorn(FileChannel file, long size) throws IOException {
    if (size == 0) {
      return false;
    }
    ByteBuffer last = ByteBuffer.allocate(1);
    file.read(last, size - 1);
    return last.get(0) != '\n';
  }

  /**
   * Cuts off what a failed write left; if even that fails, the torn rest is read as a torn line,
   * and kept.
   */
  private static void takeBack(FileChannel file, long size) {
    try {
      file.truncate(size);
      file.force(true);
    } catch (IOException stillTorn) {
      // JournalReader reports it and holds what it names.
    }
  }

  private static void sync(Path directory) throws IOException {
    try (FileChannel folder = FileChannel.open(directory, StandardOpenOption.READ)) {
      folder.force(true);
    }
  }
}
