package dev.guesthook.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A sandbox host exactly as it is on disk: every file's mode and bytes, every link's target, every
 * directory's mode. Two snapshots are equal only when the host is byte for byte the same, so a test
 * can prove that a failed phase left nothing behind.
 *
 * <p>Left out, because they are not the host a hook acts on and change by design in every phase:
 * guesthook's compile cache, its recordings (each phase is recorded, a failed one too) and a
 * cluster node's ring, the lock files of guesthook and of the simulated kernel (empty anchors for
 * fcntl locks, which stay), the test's own fault list ({@code .simulator/faults.json}, used up as
 * faults fire), and guesthook's folders (made on first use and kept) with those leading to them.
 * Everything else counts, the files in guesthook's journal and hook-state folders included: a
 * journal or saved state left behind is a change the guest would carry into its next start.
 */
public final class SandboxSnapshot {
  /** The simulator's fault list: set up by the test, consumed by the faults firing. */
  public static final String FAULTS = ".simulator/faults.json";

  /**
   * guesthook's own folders, made on first use and kept, whose files count: the journals and the
   * hooks' saved state ({@code run/guesthook/state/<vmid>}, which must be forgotten with a
   * rollback).
   */
  static final List<String> COUNTED_FOLDERS =
      List.of("var/lib/guesthook/journal", "run/guesthook/state");

  private static final int SHOWN = 20;

  private final Map<String, String> entries;

  private SandboxSnapshot(Map<String, String> entries) {
    this.entries = entries;
  }

  public static SandboxSnapshot of(Path root) {
    Map<String, String> entries = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.toList()) {
        String relative = root.relativize(path).toString();
        if (!leftOut(relative, Files.isDirectory(path))) {
          entries.put(relative, describe(path));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SandboxSnapshot(entries);
  }

  /**
   * What differs, one line per path: {@code path: <before> -> <after>} (absent is {@code null}).
   */
  public List<String> differencesFrom(SandboxSnapshot before) {
    TreeSet<String> paths = new TreeSet<>(before.entries.keySet());
    paths.addAll(entries.keySet());
    return paths.stream()
        .filter(path -> !Objects.equals(before.entries.get(path), entries.get(path)))
        .map(
            path ->
                path + ": " + shown(before.entries.get(path)) + " -> " + shown(entries.get(path)))
        .toList();
  }

  /**
   * Fails naming the first differences when this snapshot is not the same host as {@code before}.
   */
  public void assertSameAs(SandboxSnapshot before, String what) {
    List<String> differences = differencesFrom(before);
    if (!differences.isEmpty()) {
      throw new AssertionError(
          what
              + ": the host differs in "
              + differences.size()
              + " place(s):\n  "
              + String.join("\n  ", differences.subList(0, Math.min(SHOWN, differences.size())))
              + (differences.size() > SHOWN ? "\n  ..." : ""));
    }
  }

  private static boolean leftOut(String relative, boolean directory) {
    if (relative.equals(FAULTS)) {
      return true;
    }
    if (HostTree.OWN.stream()
        .anyMatch(own -> relative.equals(own) || relative.startsWith(own + "/"))) {
      return true;
    }
    return directory
        && Stream.concat(HostTree.OWN.stream(), COUNTED_FOLDERS.stream())
            .anyMatch(own -> own.equals(relative) || own.startsWith(relative + "/"));
  }

  private static String describe(Path path) throws IOException {
    if (Files.isSymbolicLink(path)) {
      return "-> " + Files.readSymbolicLink(path);
    }
    String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    return Files.isDirectory(path) ? mode + " dir" : mode + " " + content(Files.readAllBytes(path));
  }

  /**
   * The bytes as text when they are UTF-8, else as hex: readable, and equal only when the bytes
   * are.
   */
  private static String content(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException notText) {
      return "bytes " + HexFormat.of().formatHex(bytes);
    }
  }

  private static String shown(String entry) {
    if (entry == null) {
      return "(absent)";
    }
    String oneLine = entry.replace("\n", "\\n");
    return oneLine.length() > 120 ? oneLine.substring(0, 120) + "..." : oneLine;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SandboxSnapshot that && entries.equals(that.entries);
  }

  @Override
  public int hashCode() {
    return entries.hashCode();
  }
}
