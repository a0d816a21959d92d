package dev.guesthook.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the kernel says of a file's fcntl locks, from /proc/locks. */
public final class ProcLocks {
  private ProcLocks() {}

  /** Whether this process holds a POSIX (fcntl) lock on {@code file}, matched by its inode. */
  public static boolean heldByThisProcess(Path file) throws IOException {
    long inode = (Long) Files.getAttribute(file, "unix:ino");
    String pid = Long.toString(ProcessHandle.current().pid());
    return Files.readAllLines(Path.of("/proc/locks")).stream()
        .map(line -> line.trim().split("\\s+"))
        .anyMatch(
            fields ->
                fields.length > 5
                    && fields[1].equals("POSIX")
                    && fields[4].equals(pid)
                    && fields[5].endsWith(":" + inode));
  }
}
