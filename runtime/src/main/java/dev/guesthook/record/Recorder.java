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
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Appends each dispatched event to {@code <dir>/<vmid>-<yyyy-mm-dd>.jsonl} (UTC day of the event):
 * one line per event, written in one call and synced, so a crash loses at most the line in flight.
 * The sync may run after the phase has answered (a resident runtime hands it to a worker): the line
 * is in the file once {@link #record} returns, so a crash of the process loses nothing, and only a
 * power loss in the milliseconds before the sync could lose that line. Past {@code maxBytes} a file
 * is rotated ({@code .1} ... {@code .keep}). Recording is guesthook's own bookkeeping, not a host
 * action: it never fails or blocks a phase; a full disk or an unwritable folder costs a warning
 * line. Files are 0600 in a 0700 folder: configs can hold secrets.
 */
public final class Recorder {
  /** Present in the recordings folder: recording is off ({@code guesthook record --off}). */
  public static final String OFF_MARKER = ".off";

  private final Path directory;
  private final long maxBytes;
  private final int keep;
  private final Consumer<String> warn;
  private final Executor syncs;

  /** Syncs each line before {@link #record} returns. */
  public Recorder(Path directory, long maxBytes, int keep, Consumer<String> warn) {
    this(directory, maxBytes, keep, warn, Runnable::run);
  }

  /**
   * Syncs each line on {@code syncs}: the phase need not wait for the disk (an fdatasync took 0.6
   * ms at the median and 4 ms at p99 on a shared 2-core VM, more than the rest of a warm phase).
   */
  public Recorder(Path directory, long maxBytes, int keep, Consumer<String> warn, Executor syncs) {
    this.directory = directory;
    this.maxBytes = maxBytes;
    this.keep = keep;
    this.warn = warn;
    this.syncs = syncs;
  }

  public static boolean isOn(Path directory) {
    // java.io's check follows links as NIO's does, without a thrown NoSuchFileException each phase
    return !directory.resolve(OFF_MARKER).toFile().exists();
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
      append(file, line); // SafeFiles.open makes the folder where it is missing
      if (Files.size(file) > maxBytes) {
        rotate(file);
      }
    } catch (IOException | RuntimeException e) {
      warn.accept("not recorded (" + file + "): " + e.getMessage());
    }
  }

  /**
   * Never through a link: root appending a guest's config to a file someone planted would leak it
   * or break it.
   */
  private void append(Path file, byte[] line) throws IOException {
    FileChannel channel =
        SafeFiles.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    try {
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    try {
      syncs.execute(() -> syncedAndClosed(file, channel));
    } catch (RejectedExecutionException stopping) {
      syncedAndClosed(file, channel);
    }
  }

  /** A sync that fails (the disk went bad) is a warning, as a line that cannot be written is. */
  private void syncedAndClosed(Path file, FileChannel channel) {
    try (channel) {
      channel.force(false);
    } catch (IOException e) {
      warn.accept("not synced (" + file + "): " + e.getMessage());
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
