package dev.guesthook.record;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.files.SafeFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Appends each dispatched event to {@code <dir>/<vmid>-<yyyy-mm-dd>.jsonl} (UTC day of the event):
 * one line per event, written in one call and synced, so a crash loses at most the line in flight.
 * Past {@code maxBytes} a file is rotated ({@code .1} ... {@code .keep}). Recording is guesthook's
 * own bookkeeping, not a host action: it never fails or blocks a phase; a full disk or an
 * unwritable folder costs a warning line. Files are 0600 in a 0700 folder: configs can hold
 * secrets.
 */
public final class Recorder {
  /** Present in the recordings folder: recording is off ({@code guesthook record --off}). */
  public static final String OFF_MARKER = ".off";

  private final Path directory;
  private final long maxBytes;
  private final int keep;
  private final Consumer<String> warn;

  public Recorder(Path directory, long maxBytes, int keep, Consumer<String> warn) {
    this.directory = directory;
    this.maxBytes = maxBytes;
    this.keep = keep;
    this.warn = warn;
  }

  public static boolean isOn(Path directory) {
    return !Files.exists(directory.resolve(OFF_MARKER));
  }

  public void record(DispatchResult result, Map<String, Map<String, Object>> settings) {
    if (!isOn(directory)) {
      return;
    }
    String day = result.event().time().atZone(ZoneOffset.UTC).toLocalDate().toString();
    Path file = directory.resolve(result.event().vmid() + "-" + day + ".jsonl");
    try {
      byte[] line =
          (RecordingCodec.write(Recording.of(result, settings)) + "\n")
              .getBytes(StandardCharsets.UTF_8);
      ensureDirectory();
      append(file, line);
      if (Files.size(file) > maxBytes) {
        rotate(file);
      }
    } catch (IOException | RuntimeException e) {
      warn.accept("not recorded (" + file + "): " + e.getMessage());
    }
  }

  private void ensureDirectory() throws IOException {
    SafeFiles.folder(directory);
  }

  /**
   * Never through a link: root appending a guest's config to a file someone planted would leak it
   * or break it.
   */
  private static void append(Path file, byte[] line) throws IOException {
    try (FileChannel channel =
        SafeFiles.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(false);
    }
  }

  private void rotate(Path file) throws IOException {
    Files.deleteIfExists(rotated(file, keep));
    for (int i = keep - 1; i >= 1; i--) {
      if (Files.exists(rotated(file, i))) {
        Files.move(rotated(file, i), rotated(file, i + 1), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Files.move(file, rotated(file, 1), StandardCopyOption.REPLACE_EXISTING);
  }

  static Path rotated(Path file, int n) {
    return file.resolveSibling(file.getFileName() + "." + n);
  }
}
