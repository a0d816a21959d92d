package dev.guesthook.metrics;

import dev.guesthook.files.SafeFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Consumer;

/**
 * The counts kept between processes: one-shot phases each add theirs to {@code counts.json} under
 * an exclusive lock on {@code counts.lock} (two guests' phases may end together), then the file is
 * written beside and renamed over, so a crash leaves the old counts or the new. Not synced: a power
 * loss may lose the last phases' increments, which Prometheus takes as a counter reset at worst.
 * Bounded: a file over {@link #BOUND} is no counts of ours.
 */
final class CountsFile {
  static final String FILE = "counts.json";
  static final int BOUND = 1024 * 1024;

  private final Path folder;
  private final Consumer<String> warn;

  CountsFile(Path folder, Consumer<String> warn) {
    this.folder = folder;
    this.warn = warn;
  }

  /** Adds the samples and returns the counts after them; with none, only reads. Blocking. */
  Counts add(List<PhaseSample> samples) throws IOException {
    SafeFiles.folder(folder);
    try (FileChannel lock =
            SafeFiles.open(
                folder.resolve("counts.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        var held = lock.lock()) {
      Counts counts = read();
      if (!samples.isEmpty()) {
        samples.forEach(counts::add);
        write(counts.toJson());
      }
      return counts;
    }
  }

  private Counts read() throws IOException {
    Path file = folder.resolve(FILE);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new Counts();
    }
    byte[] bytes;
    try (FileChannel channel = SafeFiles.open(file, StandardOpenOption.READ)) {
      bytes = Channels.newInputStream(channel).readNBytes(BOUND + 1);
    }
    try {
      if (bytes.length > BOUND) {
        throw new IOException("over " + BOUND + " bytes");
      }
      return Counts.fromJson(bytes);
    } catch (IOException | RuntimeException e) {
      warn.accept(
          "metrics: "
              + file
              + " cannot be read ("
              + e.getMessage().lines().findFirst().orElse("")
              + "): counting from zero again");
      return new Counts();
    }
  }

  private void write(byte[] json) throws IOException {
    Path file = folder.resolve(FILE);
    Path beside = folder.resolve(FILE + ".new");
    try (FileChannel channel =
        SafeFiles.open(
            beside,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(json);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
    Files.move(beside, file, StandardCopyOption.ATOMIC_MOVE);
  }
}
