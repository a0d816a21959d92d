package dev.guesthook.cluster;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Why this node's data could not be published: the file, an errno, and what it means here. */
public final class PublishException extends Exception {
  private final String errno;

  PublishException(String errno, String message) {
    super(message);
    this.errno = errno;
  }

  public String errno() {
    return errno;
  }

  static PublishException of(String file, IOException e) {
    String reason =
        e instanceof FileSystemException fs && fs.getReason() != null
            ? fs.getReason()
            : String.valueOf(e.getMessage());
    if (e instanceof AccessDeniedException) {
      return new PublishException(
          "EACCES",
          file
              + ": "
              + reason
              + " (EACCES): /etc/pve is read-only while this node has no quorum;"
              + " its data there grows old until it has");
    }
    if (e instanceof NoSuchFileException) {
      return new PublishException("ENOENT", file + ": " + reason);
    }
    if (reason.startsWith("File too large")) {
      return new PublishException("EFBIG", file + ": " + reason + " (pmxcfs takes 1 MiB a file)");
    }
    if (reason.startsWith("Read-only file system")) {
      return new PublishException("EROFS", file + ": " + reason);
    }
    return new PublishException("EIO", file + ": " + reason);
  }
}
