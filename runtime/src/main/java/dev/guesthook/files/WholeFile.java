package dev.guesthook.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A file replaced whole, for a reader that may look at any moment (node_exporter, a browser): the
 * content goes to a hidden temporary file in the same folder (so the rename stays on one file
 * system, and a collector that reads only {@code *.prom} skips it), made new without following a
 * link, given its mode, then renamed over the file. A reader sees the old content or the new, and a
 * link planted where the file goes is replaced, never followed. The caller checks the folder.
 */
public final class WholeFile {
  private WholeFile() {}

  public static void replace(Path target, byte[] content, Set<PosixFilePermission> mode)
      throws IOException {
    Path temporary =
        target.resolveSibling(
            "." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    Files.deleteIfExists(temporary); // left by a killed process that had the same pid
    try {
      try (FileChannel channel =
          FileChannel.open(
              temporary,
              Set.of(
                  StandardOpenOption.CREATE_NEW,
                  StandardOpenOption.WRITE,
                  LinkOption.NOFOLLOW_LINKS),
              PosixFilePermissions.asFileAttribute(mode))) {
        ByteBuffer bytes = ByteBuffer.wrap(content);
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
      }
      // The umask may have taken bits away; the file is new and ours.
      Files.setPosixFilePermissions(temporary, mode);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
