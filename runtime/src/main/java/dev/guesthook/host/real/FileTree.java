package dev.guesthook.host.real;

import dev.guesthook.host.HostException;
import dev.guesthook.host.MutableTree;
import dev.guesthook.host.HostPath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Plain file I/O on the host's tree under a root directory (the real {@code /}, or a test tree). */
public final class FileTree implements MutableTree {
  /** As long as qemu-server itself waits for this lock when it reserves devices. */
  private static final long LOCK_WAIT_SECONDS = 5;
  /** sysfs attributes are one page; Proxmox files are at most 1 MiB. Anything larger is refused. */
  static final int MAX_READ_BYTES = 1024 * 1024;

  private final Path root;

  public FileTree(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  /**
   * Java's file locks are fcntl(2) locks, which do not exclude flock(2) ones; util-linux's flock(1),
   * on every Debian, takes the lock Proxmox's Perl takes. Without it the read goes unlocked: Proxmox
   * replaces these files by rename, so an unlocked read still sees a whole version.
   */
  @Override
  public String readLocked(HostPath path, HostPath lock) {
    if (!exists(path)) {
      return read(path); // the ENOENT read gives
    }
    ProcessBuilder flock = new ProcessBuilder("flock", "--shared", "--wait", Long.toString(LOCK_WAIT_SECONDS),
        lock.under(root).toString(), "cat", "--", path.under(root).toString());
    try {
      Process process = flock.redirectError(ProcessBuilder.Redirect.DISCARD).start();
      process.getOutputStream().close();
      byte[] bytes = process.getInputStream().readNBytes(MAX_READ_BYTES + 1);
      int exit = process.waitFor();
      if (exit != 0 || bytes.length > MAX_READ_BYTES) {
        throw new HostException(exit == 1 ? "EAGAIN" : "EIO", path + ": could not read it under " + lock
            + " (flock exit " + exit + "; held longer than " + LOCK_WAIT_SECONDS + " s?)");
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
    Path file = path.under(root);
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

  public void write(HostPath path, String value) {
    Path file = path.under(root);
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

  public boolean exists(HostPath path) {
    return Files.exists(path.under(root), LinkOption.NOFOLLOW_LINKS);
  }

  public List<String> list(HostPath directory) {
    try (Stream<Path> entries = Files.list(directory.under(root))) {
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
      Path realRoot = root.toRealPath();
      Path target = link.getParent().toRealPath().resolve(Files.readSymbolicLink(link)).normalize();
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
      Files.createDirectories(directory.under(root));
    } catch (IOException e) {
      throw translate(directory, e);
    }
  }

  public void delete(HostPath path) {
    try {
      Files.deleteIfExists(path.under(root));
    } catch (IOException e) {
      throw translate(path, e);
    }
  }

  public void makeDirectory(HostPath directory) {
    try {
      Files.createDirectory(directory.under(root));
    } catch (java.nio.file.FileAlreadyExistsException e) {
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
      Path parent = link.parent().under(root).toRealPath();
      Path file = parent.resolve(link.name());
      Files.deleteIfExists(file);
      Files.createSymbolicLink(file, parent.relativize(target.under(root.toRealPath())));
    } catch (IOException e) {
      throw translate(link, e);
    }
  }

  public void removeTree(HostPath path) {
    Path top = path.under(root);
    if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(top)) {
      // Files.walk does not follow links, so a device's driver link never takes the driver with it.
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
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
    if (!(e instanceof FileSystemException) && e.getMessage() != null) {
      // A failed write(2) (a sysfs store's answer) is a plain IOException whose message is strerror's text.
      return e.getMessage();
    }
    return e.getClass().getSimpleName().replace("Exception", "").toLowerCase();
  }

  /**
   * The JDK only gives strerror text (glibc's wording) for most errnos; map the ones sysfs stores
   * answer with, so a caller can tell ERANGE from EUSERS as it could in C.
   */
  private static String errnoFromReason(IOException e) {
    String reason = reason(e);
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
      case "No space left on device" -> "ENOSPC";
      case "Read-only file system" -> "EROFS";
      case "Numerical result out of range" -> "ERANGE";
      case "Too many users" -> "EUSERS";
      case "Resource temporarily unavailable" -> "EAGAIN";
      case "Argument list too long" -> "E2BIG";
      case "Cannot allocate memory" -> "ENOMEM";
      default -> "EIO";
    };
  }
}
