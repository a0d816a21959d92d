package dev.guesthook.metrics;

import dev.guesthook.files.SafeFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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

  private static final FileAttribute<?> PRIVATE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private final Path folder;
  private final Consumer<String> warn;

  CountsFile(Path folder, Consumer<String> warn) {
    this.folder = folder;
    this.warn = warn;
  }

  /** Adds the samples and returns the counts after them; with none, only reads. Blocking. */
  Counts add(List<Sample> samples) throws IOException {
    // The folder is walked once from / (SafeFiles' rule); in a folder only root (or the runtime's
    // user) can write, its files are then opened by name without a link followed, which saves
    // the walk for each of them (it was most of the cost after a phase).
    Path checked = SafeFiles.folder(folder);
    try (FileChannel lock = open(checked.resolve("counts.lock"), StandardOpenOption.CREATE);
        var held = lock.lock()) {
      Counts counts = read(checked.resolve(FILE));
      if (!samples.isEmpty()) {
        samples.forEach(sample -> sample.addTo(counts));
        write(checked, counts.toJson());
      }
      return counts;
    }
  }

  private static FileChannel open(Path file, StandardOpenOption... options) throws IOException {
    Set<OpenOption> all = new HashSet<>(List.of(options));
    all.add(StandardOpenOption.WRITE);
    all.add(LinkOption.NOFOLLOW_LINKS);
    return FileChannel.open(file, all, PRIVATE);
  }

  private Counts read(Path file) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new Counts();
    }
    byte[] bytes;
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
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

  private static void write(Path folder, byte[] json) throws IOException {
    Path beside = folder.resolve(FILE + ".new");
    try (FileChannel channel =
        open(beside, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buffer = ByteBuffer.wrap(json);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
    Files.move(beside, folder.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }
}
