package dev.guesthook.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedDirectoryStreamException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The runtime runs as root, so a file anyone else can change, or a link anyone could plant, is a
 * way to root. Like sshd's StrictModes, one rule for the hook files it runs and for everything it
 * writes in its own folders (locks, recordings, the hook cache, install records): a folder is
 * walked from {@code /} one component at a time without following links, and each must be a
 * directory owned by root or the runtime's user and not writable by group or others (a sticky
 * folder such as {@code /tmp} may lie on the way: nobody else can rename or replace what is not
 * theirs); a file is opened with O_NOFOLLOW and must be a regular file under the same owner and
 * mode rules. Once every folder on the way is the runtime's, nobody else can swap a component
 * between check and use; and the files of a folder walked lately are opened relative to the folder
 * itself, held open ({@link HeldFolders}).
 */
public final class SafeFiles {
  private static final HeldFolders HELD = new HeldFolders();
  private static final int ROOT_UID = 0;
  private static final int OWN_UID = ownUid();
  private static final int TYPE_MASK = 0170000;
  private static final int DIRECTORY = 0040000;
  private static final int REGULAR = 0100000;
  private static final int LINK = 0120000;
  private static final int STICKY = 01000;
  private static final int GROUP_WRITE = 020;
  private static final int OTHERS_WRITE = 02;
  private static final FileAttribute<?> PRIVATE_FOLDER =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final FileAttribute<?> PRIVATE_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private SafeFiles() {}

  /**
   * Why a hook file (which may be reached through a link) and its folder must not be trusted, with
   * the fix; empty when fine.
   */
  public static Optional<String> problem(Path path) {
    try {
      Path real = path.toRealPath();
      Optional<String> fileProblem = ownerOrModeProblem(real, attributes(real), false);
      if (fileProblem.isPresent() || real.getParent() == null) {
        return fileProblem;
      }
      return ownerOrModeProblem(real.getParent(), attributes(real.getParent()), false);
    } catch (IOException e) {
      return Optional.of("cannot check " + path + ": " + e.getMessage());
    }
  }

  /**
   * Why guesthook must not write in {@code dir} (a missing part is no problem: it would be created
   * safely); empty when fine.
   */
  public static Optional<String> folderProblem(Path dir) {
    try {
      walk(dir, false);
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** {@code dir}, created (0700) where missing, every component from {@code /} checked. */
  public static Path folder(Path dir) throws IOException {
    return walk(dir, true);
  }

  /**
   * Opens a file in a safe folder without following a link; a created file is 0600. The file is
   * opened relative to its folder, held open since it was walked ({@link HeldFolders}): no swap of
   * a folder on its path can take the open elsewhere. The file is looked at before the open, not
   * after: in a folder nobody else may write, nobody else can swap it between the two.
   */
  public static FileChannel open(Path file, OpenOption... options) throws IOException {
    Path folder = file.toAbsolutePath().normalize().getParent();
    Path absolute = folder.resolve(file.getFileName());
    OpenOption[] noFollow = Arrays.copyOf(options, options.length + 1);
    noFollow[options.length] = LinkOption.NOFOLLOW_LINKS;
    Optional<SecureDirectoryStream<Path>> held = HELD.stillAt(folder);
    if (held.isEmpty()) {
      walk(folder, true);
      held = HELD.hold(folder);
    }
    refuseUntrustedFile(absolute);
    if (held.isPresent()) {
      try {
        return openIn(held.get(), absolute, Set.of(noFollow));
      } catch (ClosedDirectoryStreamException letGoMeanwhile) {
        walk(folder, true);
      }
    }
    return openNotFollowing(absolute, Set.of(noFollow));
  }

  /**
   * Whether a folder walked before, reached again by its path, may still be used: a directory owned
   * by root or the runtime's user and writable by nobody else.
   */
  static boolean trustedFolder(Path folder, Map<String, Object> attributes) {
    return type(attributes) == DIRECTORY && ownerOrModeProblem(folder, attributes, false).isEmpty();
  }

  /** The whole text of a file read safely; empty when it does not exist. */
  public static Optional<String> readString(Path file) throws IOException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try (FileChannel channel = open(file, StandardOpenOption.READ)) {
      return Optional.of(
          new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Replaces a file's content, written safely. */
  public static void writeString(Path file, String text) throws IOException {
    try (FileChannel channel =
        open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
    }
  }

  /** A regular file itself, not a link to one. */
  public static boolean isRegularFile(Path file) {
    return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Why {@code dir}, which exists, may not become guesthook's: owned by another user, or writable
   * by others.
   */
  public static Optional<String> ownedProblem(Path dir) throws IOException {
    return ownerOrModeProblem(dir, attributes(dir), false);
  }

  private static Path walk(Path dir, boolean create) throws IOException {
    Path absolute = dir.toAbsolutePath().normalize();
    Path current = absolute.getRoot();
    Map<String, Object> attributes = attributes(current);
    checkFolder(current, attributes, true);
    for (Path part : absolute) {
      current = current.resolve(part);
      boolean last = current.equals(absolute);
      try {
        attributes = attributes(current);
      } catch (NoSuchFileException missing) {
        if (!create) {
          return absolute;
        }
        createFolder(current);
        attributes = attributes(current);
      }
      checkFolder(current, attributes, !last);
    }
    return absolute;
  }

  private static void createFolder(Path folder) throws IOException {
    try {
      Files.createDirectory(folder, PRIVATE_FOLDER);
    } catch (FileAlreadyExistsException raced) {
      // Made by someone else meanwhile: the check that follows decides whether it is usable.
    }
  }

  private static void checkFolder(Path folder, Map<String, Object> attributes, boolean onTheWay)
      throws IOException {
    if (type(attributes) == LINK) {
      throw new UnsafePathException(
          folder,
          "is a symbolic link; guesthook follows no link in the folders it writes to"
              + " (fix: remove it, or name the real folder in the setting)");
    }
    if (type(attributes) != DIRECTORY) {
      throw new UnsafePathException(folder, "is not a directory; fix: remove it");
    }
    Optional<String> problem = ownerOrModeProblem(folder, attributes, onTheWay);
    if (problem.isPresent()) {
      throw new UnsafePathException(folder, "cannot be trusted: " + problem.get());
    }
  }

  private static Optional<String> ownerOrModeProblem(
      Path path, Map<String, Object> attributes, boolean stickyAllowed) {
    int uid = (Integer) attributes.get("uid");
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
    int mode = (Integer) attributes.get("mode");
    boolean groupWritable = (mode & GROUP_WRITE) != 0;
    boolean othersWritable = (mode & OTHERS_WRITE) != 0;
    boolean shared = stickyAllowed && (mode & STICKY) != 0;
    if ((groupWritable || othersWritable) && !shared) {
      String who =
          groupWritable && othersWritable ? "group and others" : groupWritable ? "group" : "others";
      return Optional.of(
          path
              + " is writable by "
              + who
              + " (mode "
              + String.format("%04o", mode & 07777)
              + "); fix: chmod go-w "
              + path);
    }
    return Optional.empty();
  }

  /**
   * A FIFO, socket or device where a file of guesthook's is expected is refused before the open:
   * Java opens without O_NONBLOCK, so opening a FIFO waits for a peer that never comes (a FIFO in
   * place of a guest's recording held that guest's phase, and its lock, for good). So is a file
   * another user owns or may write. A link is left to the open, which refuses it; a missing file is
   * the open's to create (once per guest or day: the lock and recording files are kept).
   */
  private static void refuseUntrustedFile(Path file) throws IOException {
    Map<String, Object> attributes;
    try {
      attributes = attributes(file);
    } catch (NoSuchFileException absent) {
      return;
    }
    if (type(attributes) == LINK) {
      return;
    }
    if (type(attributes) != REGULAR) {
      throw new UnsafePathException(file, "is not a regular file; fix: remove it");
    }
    Optional<String> problem = ownerOrModeProblem(file, attributes, false);
    if (problem.isPresent()) {
      throw new UnsafePathException(file, "cannot be trusted: " + problem.get());
    }
  }

  /**
   * O_NOFOLLOW refuses a link at the last component (ELOOP), so no stat before the open is needed
   * to tell one (a pre-start opens two files so: the guest's lock and its recording).
   */
  private static FileChannel openNotFollowing(Path file, Set<OpenOption> options)
      throws IOException {
    try {
      return FileChannel.open(file, options, PRIVATE_FILE);
    } catch (IOException e) { // ELOOP comes as a plain IOException
      throw linkOr(file, e);
    }
  }

  /** The same, by its name in its folder held open (openat). */
  private static FileChannel openIn(
      SecureDirectoryStream<Path> folder, Path file, Set<OpenOption> options) throws IOException {
    SeekableByteChannel channel;
    try {
      channel = folder.newByteChannel(file.getFileName(), options, PRIVATE_FILE);
    } catch (IOException e) {
      throw linkOr(file, e);
    }
    if (channel instanceof FileChannel opened) {
      return opened;
    }
    channel.close(); // not on Linux's JDK: the file is opened by its path then
    return openNotFollowing(file, options);
  }

  private static IOException linkOr(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new NoSuchFileException(file.toString()); // named whole, not by its name in its folder
    }
    if (Files.isSymbolicLink(file)) {
      return new UnsafePathException(
          file,
          "is a symbolic link; guesthook does not follow links to the files it writes (fix: remove"
              + " it)");
    }
    return e;
  }

  private static Map<String, Object> attributes(Path path) throws IOException {
    return Files.readAttributes(path, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
  }

  private static int type(Map<String, Object> attributes) {
    return (Integer) attributes.get("mode") & TYPE_MASK;
  }

  private static int ownUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      return ROOT_UID;
    }
  }
}
