package dev.guesthook.host.tree;

import dev.guesthook.files.FolderTree;
import dev.guesthook.files.SafeFiles;
import dev.guesthook.host.ClusterShare;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Plain file I/O on the host's tree under a root directory (the real {@code /}, or a test tree).
 */
public final class FileTree implements MutableTree {
  /** As long as qemu-server itself waits for this lock when it reserves devices. */
  private static final long LOCK_WAIT_SECONDS = 5;

  /** sysfs attributes are one page; Proxmox files are at most 1 MiB. Anything larger is refused. */
  static final int MAX_READ_BYTES = 1024 * 1024;

  /** As many links as the kernel follows in one lookup before ELOOP. */
  private static final int MAX_LINKS = 40;

  /** guesthook's own folders on a host: a link in them was planted, never made by guesthook. */
  private static final List<HostPath> OWN_FOLDERS =
      List.of(
          HostPath.of("run", "guesthook"),
          HostPath.of("var", "lib", "guesthook"),
          HostPath.of("var", "cache", "guesthook"));

  private final Path root;
  private volatile Path realRoot;

  private volatile Object realRootKey;

  /**
   * A simulated cluster's shared /etc/pve, when this tree is one of its nodes; found with the root.
   */
  private volatile Optional<Path> sharedEtcPve = Optional.empty();

  public FileTree(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /**
   * Where a path of this host is, refused when a link would take a write elsewhere: in guesthook's
   * own folders no link is followed (and each folder must be trusted, as {@link SafeFiles} says),
   * and on a tree under a root (a sandbox) no link may lead out of it.
   */
  private Path at(HostPath path) {
    Path file = path.under(root);
    if (OWN_FOLDERS.stream().anyMatch(path::startsWith)) {
      refuseLinks(path, file);
    } else {
      refuseLeavingRoot(path, file);
    }
    return file;
  }

  private static void refuseLinks(HostPath path, Path file) {
    Optional<String> folder = SafeFiles.folderProblem(file.getParent());
    if (folder.isPresent()) {
      throw new HostException("EPERM", path + ": " + folder.get());
    }
    if (Files.isSymbolicLink(file)) {
      throw new HostException(
          "ELOOP",
          path + ": is a symbolic link in guesthook's own folder; not followed (fix: remove it)");
    }
  }

  private void refuseLeavingRoot(HostPath path, Path file) {
    if (root.getParent() == null) {
      return; // the real host's root: every path is on it
    }
    try {
      if (reachedWithoutLinks(path)) {
        return;
      }
      Path real = realLocation(file, MAX_LINKS);
      if (!real.startsWith(realRoot()) && !inSharedEtcPve(real)) {
        throw new HostException(
            "EXDEV", path + ": a link leads out of " + root + " (to " + real + "); refused");
      }
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  /**
   * Whether an existing file lies in the root with no link on the way: the root is still the folder
   * it was (one stat, links followed), and no component below it is a link (one stat each, none
   * followed). Resolving the file's real location reads a link per component from {@code /} and
   * more: 8 system calls for a sandbox's /sys/a/attr in /dev/shm, where this takes 4. When it
   * cannot tell (a link on the way, something missing), the real location decides.
   */
  private boolean reachedWithoutLinks(HostPath path) throws IOException {
    try {
      if (!Files.readAttributes(root, BasicFileAttributes.class).fileKey().equals(realRootKey())) {
        return false;
      }
      Path current = root;
      for (String segment : path.segments()) {
        current = current.resolve(segment);
        if (Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
            .isSymbolicLink()) {
          return false;
        }
      }
      return true;
    } catch (NoSuchFileException absent) {
      return false;
    }
  }

  /** The real root's device and inode, found once it exists. */
  private Object realRootKey() throws IOException {
    Object key = realRootKey;
    if (key == null) {
      key = Files.readAttributes(realRoot(), BasicFileAttributes.class).fileKey();
      realRootKey = key;
    }
    return key;
  }

  /**
   * Where the root really is, found once: a sandbox's every call asked again (half the links read
   * per call). Should the root later be swapped for a link to elsewhere, its paths no longer lie
   * under this one and are refused, so keeping it cannot let a write out.
   */
  private Path realRoot() throws IOException {
    Path real = realRoot;
    if (real == null) {
      real = realLocation(root, MAX_LINKS);
      sharedEtcPve = ClusterShare.of(real);
      realRoot = real;
    }
    return real;
  }

  /**
   * On a node of a simulated cluster, its /etc/pve leads into the tree all nodes share, as pmxcfs's
   * mount does on a node: the one place outside the root a link may lead.
   */
  private boolean inSharedEtcPve(Path real) {
    return sharedEtcPve.map(real::startsWith).orElse(false);
  }

  /** Where a path really is, following links: also a last link whose target does not exist yet. */
  private static Path realLocation(Path file, int linksLeft) throws IOException {
    if (Files.exists(file)) {
      return file.toRealPath();
    }
    Path parent = file.getParent();
    Path here =
        (parent == null ? file.getRoot() : realLocation(parent, linksLeft))
            .resolve(file.getFileName());
    if (!Files.isSymbolicLink(here)) {
      return here;
    }
    if (linksLeft == 0) {
      throw new FileSystemException(file.toString(), null, "Too many levels of symbolic links");
    }
    return realLocation(
        here.getParent().resolve(Files.readSymbolicLink(here)).normalize(), linksLeft - 1);
  }

  public Path root() {
    return root;
  }

  /**
   * Where a write to {@code path} goes, after the same checks as this tree's own writes (no link in
   * guesthook's folders, none out of a sandbox): for a write another process makes.
   */
  public Path fileOf(HostPath path) {
    return at(path);
  }

  /**
   * Java's file locks are fcntl(2) locks, which do not exclude flock(2) ones; util-linux's
   * flock(1), on every Debian, takes the lock Proxmox's Perl takes. Without it the read goes
   * unlocked: Proxmox replaces these files by rename, so an unlocked read still sees a whole
   * version.
   */
  @Override
  public String readLocked(HostPath path, HostPath lock) {
    if (!exists(path)) {
      return read(path); // the ENOENT read gives
    }
    ProcessBuilder flock =
        new ProcessBuilder(
            "flock",
            "--shared",
            "--wait",
            Long.toString(LOCK_WAIT_SECONDS),
            at(lock).toString(),
            "cat",
            "--",
            at(path).toString());
    try {
      Process process = flock.redirectError(ProcessBuilder.Redirect.DISCARD).start();
      process.getOutputStream().close();
      byte[] bytes = process.getInputStream().readNBytes(MAX_READ_BYTES + 1);
      int exit = process.waitFor();
      if (exit != 0 || bytes.length > MAX_READ_BYTES) {
        throw new HostException(
            exit == 1 ? "EAGAIN" : "EIO",
            path
                + ": could not read it under "
                + lock
                + " (flock exit "
                + exit
                + "; held longer than "
                + LOCK_WAIT_SECONDS
                + " s?)");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException noFlock) {
      return read(path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostException("EINTR", path + ": interrupted while waiting for " + lock);
    }
  }

  @Override
  public String read(HostPath path) {
    Path file = at(path);
    refuseAnythingButAFile(path, file);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(MAX_READ_BYTES + 1);
      if (bytes.length > MAX_READ_BYTES) {
        throw new HostException("EFBIG", path + ": larger than " + MAX_READ_BYTES + " bytes");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  @Override
  public byte[] readBytes(HostPath path, int max) {
    if (max < 0 || max > MAX_READ_BYTES) {
      throw new IllegalArgumentException("a binary read takes 0 to " + MAX_READ_BYTES + " bytes");
    }
    Path file = at(path);
    refuseAnythingButAFile(path, file);
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(max);
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  /**
   * A FIFO or a device in place of a file would block the read (and the guest's phase) for ever;
   * every file guesthook reads, sysfs attributes and /proc included, is a regular file. One stat: a
   * missing file is left to the read, which fails with ENOENT.
   */
  private static void refuseAnythingButAFile(HostPath path, Path file) {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException missingOrUnreadable) {
      return;
    }
    if (!attributes.isRegularFile()) {
      throw new HostException(
          attributes.isDirectory() ? "EISDIR" : "EINVAL", path + ": not a regular file");
    }
  }

  public void write(HostPath path, String value) {
    Path file = at(path);
    // One write(2) call, like `echo -n value > attr`: sysfs takes a store per write call.
    try {
      Files.write(
          file,
          value.getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.WRITE,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING);
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  /**
   * The first half of the simulator's atomic store: {@code value} written to a temporary file
   * beside {@code path} (same folder, so the rename cannot cross filesystems). Never used on a real
   * host, where a sysfs store must be one write(2) to the attribute itself ({@link #write}).
   */
  public HostPath writeBeside(HostPath path, String value) {
    Path file = target(path);
    HostPath temporary = besideOf(path);
    try {
      Files.write(file.resolveSibling(temporary.name()), value.getBytes(StandardCharsets.UTF_8));
      return temporary;
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  /**
   * The second half: the temporary file replaces {@code path} in one rename, so no reader sees half
   * of it.
   */
  public void renameOver(HostPath temporary, HostPath path) {
    Path file = target(path);
    try {
      Files.move(file.resolveSibling(temporary.name()), file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  /**
   * Where {@link #writeBeside} puts the new content of {@code path}; a leftover one is never a
   * kernel file.
   */
  public static HostPath besideOf(HostPath path) {
    return path.parent().resolve("." + path.name() + ".sim-new");
  }

  /** Removes what a {@link #writeBeside} left when its process died before the rename. */
  public void dropBeside(HostPath path) {
    try {
      Files.deleteIfExists(target(path).resolveSibling(besideOf(path).name()));
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  /**
   * The file a write to {@code path} changes: a link in its place is followed, as open(2) follows
   * it.
   */
  private Path target(HostPath path) {
    Path file = at(path);
    try {
      return Files.isSymbolicLink(file) && Files.exists(file) ? file.toRealPath() : file;
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  public boolean exists(HostPath path) {
    return Files.exists(path.under(root), LinkOption.NOFOLLOW_LINKS);
  }

  public List<String> list(HostPath directory) {
    try (Stream<Path> entries = Files.list(at(directory))) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw translate(directory, e);
    }
  }

  public Optional<HostPath> readLink(HostPath path) {
    Path link = path.under(root);
    if (!Files.isSymbolicLink(link)) {
      return Optional.empty();
    }
    try {
      // Relative links are relative to the directory the link really is in: sysfs reaches device
      // directories through links (/sys/bus/pci/devices/X -> ../../../devices/pci0000:00/X).
      Path realRoot = realRoot();
      Path target = link.getParent().toRealPath().resolve(Files.readSymbolicLink(link)).normalize();
      if (!target.startsWith(realRoot) && inSharedEtcPve(target)) {
        Path shared = sharedEtcPve.orElseThrow();
        return Optional.of(
            shared.equals(target)
                ? ClusterShare.MOUNT
                : HostPath.parse(ClusterShare.MOUNT + "/" + shared.relativize(target)));
      }
      if (!target.startsWith(realRoot)) {
        throw new HostException("EXDEV", path + ": link points outside the host root: " + target);
      }
      return Optional.of(HostPath.parse("/" + realRoot.relativize(target)));
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  public long usableBytes(HostPath path) {
    try {
      return Files.getFileStore(path.under(root)).getUsableSpace();
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  public void createDirectories(HostPath directory) {
    try {
      Files.createDirectories(at(directory));
    } catch (IOException e) {
      throw translate(directory, e);
    }
  }

  public void delete(HostPath path) {
    try {
      Files.deleteIfExists(at(path));
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  public void makeDirectory(HostPath directory) {
    try {
      Files.createDirectory(at(directory));
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(directory.under(root))) {
        throw new HostException("EEXIST", directory + ": exists and is not a directory");
      }
    } catch (IOException e) {
      throw translate(directory, e);
    }
  }

  /** Links are written relative, so a tree stays consistent wherever it is copied or mounted. */
  public void link(HostPath link, HostPath target) {
    try {
      Path parent = at(link.parent()).toRealPath();
      Path file = parent.resolve(link.name());
      Files.deleteIfExists(file);
      Files.createSymbolicLink(file, parent.relativize(target.under(root.toRealPath())));
    } catch (IOException e) {
      throw translate(link, e);
    }
  }

  public void removeTree(HostPath path) {
    try {
      FolderTree.remove(at(path));
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  static HostException translate(HostPath path, IOException e) {
    String errno;
    if (e instanceof NoSuchFileException) {
      errno = "ENOENT";
    } else if (e instanceof AccessDeniedException) {
      errno = "EACCES";
    } else if (e instanceof NotDirectoryException) {
      errno = "ENOTDIR";
    } else if (e instanceof DirectoryNotEmptyException) {
      errno = "ENOTEMPTY";
    } else if (e instanceof FileAlreadyExistsException) {
      errno = "EEXIST";
    } else {
      errno = errnoFromReason(e);
    }
    return new HostException(errno, path + ": " + reason(e));
  }

  private static String reason(IOException e) {
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    if (e instanceof NoSuchFileException) {
      return "No such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "Permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "File exists"; // mkdir -p over a file, as mkdir(2) answers it
    }
    if (!(e instanceof FileSystemException) && e.getMessage() != null) {
      // A failed write(2) (a sysfs store's answer) is a plain IOException whose message is
      // strerror's text.
      return e.getMessage();
    }
    return e.getClass().getSimpleName().replace("Exception", "").toLowerCase(Locale.ROOT);
  }

  /**
   * The JDK only gives strerror text (glibc's wording) for most errnos; map the ones sysfs stores
   * answer with, so a caller can tell ERANGE from EUSERS as it could in C.
   */
  private static String errnoFromReason(IOException e) {
    return errnoOf(reason(e));
  }

  /** The errno of glibc's strerror text, as a failed write(2) or a helper's error names it. */
  public static String errnoOf(String reason) {
    return switch (reason) {
      case "Invalid argument" -> "EINVAL";
      case "Device or resource busy" -> "EBUSY";
      case "No such device" -> "ENODEV";
      case "No such device or address" -> "ENXIO";
      case "No such file or directory" -> "ENOENT";
      case "File exists" -> "EEXIST";
      case "Operation not permitted" -> "EPERM";
      case "Operation not supported" -> "EOPNOTSUPP";
      case "Protocol not supported" -> "EPROTONOSUPPORT";
      case "Is a directory" -> "EISDIR";
      case "Not a directory" -> "ENOTDIR";
      case "No space left on device" -> "ENOSPC";
      case "Read-only file system" -> "EROFS";
      case "Numerical result out of range" -> "ERANGE";
      case "Too many users" -> "EUSERS";
      case "Resource temporarily unavailable" -> "EAGAIN";
      case "Argument list too long" -> "E2BIG";
      case "Cannot allocate memory" -> "ENOMEM";
      case "Inappropriate ioctl for device" -> "ENOTTY"; // a reset with no reset method left
      case "Too many levels of symbolic links" -> "ELOOP"; // O_NOFOLLOW on a link
      default -> "EIO";
    };
  }
}
