package dev.guesthook.testkit;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.READ;

import dev.guesthook.host.sim.Faults;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.opentest4j.AssertionFailedError;

/** Host paths as a hook writes them ({@code /sys/...}), placed under a sandbox root. */
final class HostPaths {
  /** More than any file a test compares: a bigger one is not read. */
  static final int MAX_BYTES = 16 * 1024 * 1024;

  private HostPaths() {}

  /**
   * The sandbox's real folder, links resolved once: a root given as a link to a sandbox is that
   * sandbox, not the one link.
   *
   * @throws IllegalArgumentException when there is nothing at {@code root}
   */
  static Path realRoot(Path root) {
    try {
      return root.toRealPath();
    } catch (IOException e) {
      throw new IllegalArgumentException("no sandbox at " + root + " (" + e + ")", e);
    }
  }

  /**
   * A path relative to a folder of the host ({@code nvidia/vgpu_params}).
   *
   * @throws IllegalArgumentException for an empty or absolute path or one with {@code .} or {@code
   *     ..}, which could name a file outside that folder
   */
  static String relative(String path) {
    if (path.isEmpty()
        || path.startsWith("/")
        || List.of(path.split("/", -1)).stream()
            .anyMatch(name -> name.isEmpty() || name.equals(".") || name.equals(".."))) {
      throw new IllegalArgumentException(
          "'" + path + "': a path relative to the device's folder, without . or .. (nvidia/x)");
    }
    return path;
  }

  /**
   * The text of the regular file at {@code file}, read as the kernel does (following links) but
   * never out of the sandbox, never from a FIFO, device or socket (which could block or never end)
   * and never more than {@link #MAX_BYTES}.
   *
   * @param realRoot the sandbox's real folder ({@link #realRoot})
   * @param shown the file's name for a message
   * @throws AssertionFailedError when the file leads out of the sandbox, is not a regular file or
   *     is too large, saying which
   * @throws IOException when it is missing or cannot be read
   */
  static String content(Path realRoot, Path file, String shown) throws IOException {
    Path real = file.toRealPath();
    if (!real.startsWith(realRoot)) {
      throw new AssertionFailedError(shown + " leads out of the sandbox, to " + real);
    }
    String kind = kind(real);
    if (!kind.equals(REGULAR)) {
      throw new AssertionFailedError(shown + " is " + kind + ", not a regular file");
    }
    try (InputStream in =
        Channels.newInputStream(Files.newByteChannel(real, READ, NOFOLLOW_LINKS))) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) {
        throw new AssertionFailedError(
            shown
                + " holds more than "
                + MAX_BYTES / (1024 * 1024)
                + " MiB: not a file to compare");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static final String REGULAR = "a regular file";

  /**
   * What is at {@code path}, its link not followed: {@code a regular file}, {@code a FIFO}, {@code
   * a character device}... The file type bits of its mode tell them apart.
   */
  static String kind(Path path) throws IOException {
    int type = (Integer) Files.getAttribute(path, "unix:mode", NOFOLLOW_LINKS) & 0170000;
    return switch (type) {
      case 0100000 -> REGULAR;
      case 0040000 -> "a folder";
      case 0120000 -> "a link";
      case 0010000 -> "a FIFO";
      case 0020000 -> "a character device";
      case 0060000 -> "a block device";
      case 0140000 -> "a socket";
      default -> "a file of unknown type";
    };
  }

  static boolean isRegular(Path path) throws IOException {
    return kind(path).equals(REGULAR);
  }

  /**
   * The file for {@code hostPath} under {@code root}.
   *
   * @throws IllegalArgumentException for a relative path or one with {@code ..}, which could name a
   *     file outside the sandbox
   */
  static Path under(Path root, String hostPath) {
    if (!hostPath.startsWith("/")) {
      throw new IllegalArgumentException(
          "'" + hostPath + "': give the host path as a hook writes it, absolute (/sys/...)");
    }
    for (String name : hostPath.split("/")) {
      if (name.equals("..") || name.equals(".")) {
        throw new IllegalArgumentException(
            "'" + hostPath + "': a host path without . or .. (it could leave the sandbox)");
      }
    }
    return root.resolve(hostPath.substring(1));
  }

  /** The host path of a file under {@code root}: {@code /} and its path relative to the root. */
  static String of(Path root, Path file) {
    return "/" + root.relativize(file);
  }

  /**
   * Each glob, and each again with its leading folders followed through the links of the sandbox
   * whose real folder is {@code realRoot}: {@code /sys/bus/pci/devices/0000:41:00.4/**} also as the
   * device's real folder under {@code /sys/devices}, where its files are.
   */
  static List<Pattern> globsFollowingLinks(Path realRoot, String... globs) {
    List<Pattern> patterns = new ArrayList<>();
    for (String glob : globs) {
      patterns.add(Faults.glob(glob));
      followed(realRoot, glob).ifPresent(real -> patterns.add(Faults.glob(real)));
    }
    return patterns;
  }

  private static Optional<String> followed(Path realRoot, String glob) {
    List<String> names = List.of(glob.substring(glob.startsWith("/") ? 1 : 0).split("/"));
    int literal = 0;
    while (literal < names.size() && !names.get(literal).matches(".*[*?].*")) {
      literal++;
    }
    try {
      Path real = realRoot.resolve(String.join("/", names.subList(0, literal))).toRealPath();
      if (!real.startsWith(realRoot)) {
        return Optional.empty();
      }
      List<String> rest = names.subList(literal, names.size());
      return Optional.of(
          of(realRoot, real).replaceAll("/$", "")
              + (rest.isEmpty() ? "" : "/" + String.join("/", rest)));
    } catch (IOException missing) {
      return Optional.empty();
    }
  }
}
