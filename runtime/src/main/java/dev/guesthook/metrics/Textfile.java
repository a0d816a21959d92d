package dev.guesthook.metrics;

import dev.guesthook.files.SafeFiles;
import dev.guesthook.files.WholeFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
    WholeFile.replace(file, text.getBytes(StandardCharsets.UTF_8), READABLE);
  }
}
