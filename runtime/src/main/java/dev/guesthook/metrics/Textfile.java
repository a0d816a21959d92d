package dev.guesthook.metrics;

import dev.guesthook.files.SafeFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The file node_exporter's textfile collector reads, written whole: a hidden temporary file in the
 * same folder (the collector reads only {@code *.prom}), made new without following a link, 0644
 * (node_exporter runs as its own user), then renamed over the file, so the collector sees the old
 * document or the new, never half of one, and a link planted where the file goes is replaced, not
 * followed. The folder was checked with the settings; it is checked again before each write.
 */
final class Textfile {
  private static final Set<PosixFilePermission> READABLE =
      PosixFilePermissions.fromString("rw-r--r--");
  private static final FileAttribute<?> READABLE_FILE =
      PosixFilePermissions.asFileAttribute(READABLE);

  private final Path file;

  Textfile(Path file) {
    this.file = file.toAbsolutePath().normalize();
  }

  Path file() {
    return file;
  }

  void write(String text) throws IOException {
    Path folder = file.getParent();
    Optional<String> problem = SafeFiles.folderProblem(folder);
    if (problem.isPresent()) {
      throw new IOException(problem.get());
    }
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(folder + " is no longer a folder");
    }
    Path temporary =
        folder.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    Files.deleteIfExists(temporary); // left by a process of the same pid that was killed
    try {
      try (FileChannel channel =
          FileChannel.open(
              temporary,
              Set.of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              READABLE_FILE)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      }
      // The umask may have taken the others' read away; the file is new and ours, in our folder.
      Files.setPosixFilePermissions(temporary, READABLE);
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
