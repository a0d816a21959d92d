package dev.guesthook.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Every file, folder and link of a sandbox host at one moment: content, link target and mode, by
 * host path. Take one before a phase and compare after: {@code
 * assertThat(root).unchangedSince(before)} or {@link #changesTo}.
 *
 * <p>Left out, as not the host a hook acts on: guesthook's hook cache ({@code
 * /var/cache/guesthook}), recordings ({@code /var/lib/guesthook/recordings}) and locks ({@code
 * /run/guesthook/locks}), and the test's fault list ({@code /.simulator/faults.json}). Kept:
 * guesthook's journal ({@code /var/lib/guesthook/journal}), which a device hook's pre-start writes
 * and a journal left behind is a change a test must see, and the guest's settings file, which
 * {@code Lifecycle.settings} writes when the lifecycle runs.
 *
 * <p>Under {@code /sys}, one trailing newline is not a change: the simulated kernel keeps the bytes
 * a hook wrote ({@code "powersave"}) where a real one reads the attribute back with its newline
 * ({@code "powersave\n"}), as {@link FileAssert#hasContent} ignores it too.
 */
public final class HostSnapshot {
  /** More files than any sandbox has: a tree this large is not one, or something ran away. */
  static final int MAX_FILES = 100_000;

  /** More content than any sandbox holds. */
  static final long MAX_BYTES = 64L * 1024 * 1024;

  /** guesthook's own files under a host root, relative to it: not the host a hook acts on. */
  private static final List<String> OWN =
      List.of(
          "var/cache/guesthook",
          "var/lib/guesthook/recordings",
          "run/guesthook/locks",
          ".simulator/locks",
          ".simulator/faults.json");

  /**
   * Folders guesthook makes for its bookkeeping: a run that creates them changed nothing a hook
   * acts on (the journal's files still count).
   */
  private static final List<String> OWN_FOLDERS =
      List.of("var/cache/guesthook", "var/lib/guesthook/journal", "run/guesthook/locks");

  /** One path: what it is ({@code file}, {@code folder}, {@code link}), its content and mode. */
  record Entry(String kind, String content, String mode) {
    String shown() {
      return switch (kind) {
        case "file" -> quoted(content);
        case "link" -> "link to " + content;
        default -> "folder";
      };
    }
  }

  /** One changed path and the line that says how. */
  record Change(String path, String line) {}

  private final Path root;
  private final SortedMap<String, Entry> entries;

  private HostSnapshot(Path root, SortedMap<String, Entry> entries) {
    this.root = root;
    this.entries = entries;
  }

  /**
   * Captures the tree under {@code sandboxRoot}; links in it are recorded, not followed. A root
   * given as a link is the sandbox it leads to (resolved once, here), never the one link.
   *
   * @param sandboxRoot the sandbox's folder
   * @return its snapshot
   * @throws IllegalStateException when the tree holds more than 100,000 files or 64 MiB of content
   * @throws IllegalArgumentException when there is nothing at {@code sandboxRoot}
   * @throws UncheckedIOException when the tree cannot be read
   */
  public static HostSnapshot of(Path sandboxRoot) {
    Path root = HostPaths.realRoot(sandboxRoot);
    SortedMap<String, Entry> entries = new TreeMap<>();
    try {
      Files.walkFileTree(root, new Capture(root, entries));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new HostSnapshot(root, entries);
  }

  /**
   * What differs from this snapshot to {@code later}, one readable line per path, sorted: {@code
   * changed /sys/...: "a" -> "b"}, {@code added /...}, {@code removed /...}, {@code mode /...:
   * rw-r--r-- -> rwxr-xr-x}. Empty when nothing changed.
   *
   * @param later a snapshot of the same sandbox taken later
   * @return one line per changed path, empty when nothing changed
   */
  public List<String> changesTo(HostSnapshot later) {
    return changes(later).stream().map(Change::line).toList();
  }

  /** The changes {@link #changesTo} lists, each with its path. */
  List<Change> changes(HostSnapshot later) {
    TreeSet<String> paths = new TreeSet<>(entries.keySet());
    paths.addAll(later.entries.keySet());
    List<Change> changes = new ArrayList<>();
    for (String path : paths) {
      change(path, entries.get(path), later.entries.get(path))
          .ifPresent(line -> changes.add(new Change(path, line)));
    }
    return changes;
  }

  /** The sandbox root this snapshot was taken of. */
  Path root() {
    return root;
  }

  /**
   * How many paths the snapshot holds.
   *
   * @return the number of files, folders and links captured
   */
  public int size() {
    return entries.size();
  }

  private static Optional<String> change(String path, Entry before, Entry after) {
    if (Objects.equals(before, after) || sameAttribute(path, before, after)) {
      return Optional.empty();
    }
    if (before == null) {
      return Optional.of("added " + path + shownAfterColon(after));
    }
    if (after == null) {
      return Optional.of("removed " + path);
    }
    if (before.kind().equals(after.kind()) && Objects.equals(before.content(), after.content())) {
      return Optional.of("mode " + path + ": " + before.mode() + " -> " + after.mode());
    }
    return Optional.of("changed " + path + ": " + before.shown() + " -> " + after.shown());
  }

  /** A sysfs attribute that differs only by the one trailing newline the kernel adds on reading. */
  private static boolean sameAttribute(String path, Entry before, Entry after) {
    return path.startsWith("/sys/")
        && before != null
        && after != null
        && before.kind().equals("file")
        && after.kind().equals("file")
        && before.mode().equals(after.mode())
        && withoutNewline(before.content()).equals(withoutNewline(after.content()));
  }

  private static String withoutNewline(String text) {
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }

  private static String shownAfterColon(Entry entry) {
    return entry.kind().equals("folder") ? "" : ": " + entry.shown();
  }

  /** Text in quotes, with newlines shown as \n, cut after 200 characters. */
  static String quoted(String text) {
    String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
    return "\"" + shown.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\"";
  }

  /** Walks the tree once, skipping guesthook's own files and counting against the bounds. */
  private static final class Capture extends SimpleFileVisitor<Path> {
    private final Path root;
    private final SortedMap<String, Entry> entries;
    private long bytes;

    Capture(Path root, SortedMap<String, Entry> entries) {
      this.root = root;
      this.entries = entries;
    }

    @Override
    public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
        throws IOException {
      if (isOwn(dir)) {
        return FileVisitResult.SKIP_SUBTREE;
      }
      if (!dir.equals(root) && !isOwnFolder(dir)) {
        add(dir, new Entry("folder", null, mode(dir)));
      }
      return FileVisitResult.CONTINUE;
    }

    @Override
    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
      if (isOwn(file)) {
        return FileVisitResult.CONTINUE;
      }
      if (attrs.isSymbolicLink()) {
        add(file, new Entry("link", Files.readSymbolicLink(file).toString(), "link"));
      } else if (attrs.isRegularFile()) {
        bytes += attrs.size();
        if (bytes > MAX_BYTES) {
          throw new IllegalStateException(
              root + " holds more than " + MAX_BYTES / (1024 * 1024) + " MiB: not a sandbox?");
        }
        add(file, new Entry("file", content(file), mode(file)));
      }
      return FileVisitResult.CONTINUE;
    }

    private void add(Path path, Entry entry) {
      if (entries.size() >= MAX_FILES) {
        throw new IllegalStateException(
            root + " holds more than " + MAX_FILES + " files: not a sandbox?");
      }
      entries.put(HostPaths.of(root, path), entry);
    }

    /** A folder on the way to guesthook's bookkeeping ({@code /var}, {@code /var/lib}, ...). */
    private boolean isOwnFolder(Path dir) {
      String relative = root.relativize(dir).toString();
      return OWN_FOLDERS.stream()
              .anyMatch(own -> own.equals(relative) || own.startsWith(relative + "/"))
          || OWN.stream().anyMatch(own -> own.startsWith(relative + "/"));
    }

    private boolean isOwn(Path path) {
      String relative = root.relativize(path).toString();
      return OWN.stream().anyMatch(own -> relative.equals(own));
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  /** A file's text; one that is not UTF-8 as its bytes, so it is compared exactly too. */
  private static String content(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException notText) {
      return "bytes " + HexFormat.of().formatHex(bytes);
    }
  }

  @Override
  public String toString() {
    return "HostSnapshot of " + entries.size() + " paths";
  }
}
