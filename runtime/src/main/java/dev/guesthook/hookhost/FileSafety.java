package dev.guesthook.hookhost;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The runtime runs as root, so a hook file anyone else can change is a way to root. Like sshd's
 * StrictModes, a file (and the folder holding it) must be owned by the runtime's user or root and
 * not writable by group or others.
 */
public final class FileSafety {
  private static final int ROOT_UID = 0;
  private static final int OWN_UID = ownUid();

  private FileSafety() {}

  /** Why this path must not be trusted, with the command that fixes it; empty when it is fine. */
  public static Optional<String> problem(Path path) {
    try {
      Path real = path.toRealPath();
      Optional<String> fileProblem = ownershipAndMode(real);
      if (fileProblem.isPresent()) {
        return fileProblem;
      }
      return real.getParent() == null ? Optional.empty() : ownershipAndMode(real.getParent());
    } catch (IOException e) {
      return Optional.of("cannot check " + path + ": " + e.getMessage());
    }
  }

  private static Optional<String> ownershipAndMode(Path path) throws IOException {
    int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (uid != OWN_UID && uid != ROOT_UID) {
      return Optional.of(
          path
              + " is owned by uid "
              + uid
              + ", not by root or the runtime's user (uid "
              + OWN_UID
              + "); fix: chown root "
              + path);
    }
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
    boolean groupWritable = mode.contains(PosixFilePermission.GROUP_WRITE);
    boolean othersWritable = mode.contains(PosixFilePermission.OTHERS_WRITE);
    if (groupWritable || othersWritable) {
      String who = groupWritable && othersWritable ? "group and others" : groupWritable ? "group" : "others";
      return Optional.of(
          path
              + " is writable by "
              + who
              + " (mode "
              + octal(mode)
              + "); fix: chmod go-w "
              + path);
    }
    return Optional.empty();
  }

  private static String octal(Set<PosixFilePermission> mode) {
    String symbolic = PosixFilePermissions.toString(mode);
    int value = 0;
    for (int i = 0; i < 9; i++) {
      value = value << 1 | (symbolic.charAt(i) == '-' ? 0 : 1);
    }
    return String.format("%04o", value);
  }

  private static int ownUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      return ROOT_UID;
    }
  }
}
