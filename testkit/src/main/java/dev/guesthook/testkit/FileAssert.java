package dev.guesthook.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions on one file of a sandbox host, named by its host path: {@code
 * assertThat(root).file("/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor").hasContent("performance")}.
 * Reads follow links as the kernel does, but never out of the sandbox, and read only regular files
 * of at most 16 MiB: a FIFO, device or socket fails the assertion saying what it is, and {@link
 * #exists()} and {@link #doesNotExist()} open nothing. Every failure says what is there instead:
 * the content, the link's target, or what the folder holds.
 */
public final class FileAssert {
  private final HostAssert host;
  private final Path root;
  private final Path file;
  private final String hostPath;

  /** {@code realRoot}: the sandbox's real folder, as {@link HostAssert} resolved it once. */
  FileAssert(HostAssert host, Path realRoot, String hostPath) {
    this.host = host;
    this.root = realRoot;
    this.hostPath = hostPath;
    this.file = HostPaths.under(this.root, hostPath);
  }

  /**
   * The file holds exactly {@code expected}; one trailing newline on either side is ignored, as a
   * sysfs attribute reads {@code "performance\n"}.
   *
   * @param expected the content, with or without its trailing newline
   * @return this assertion, to chain more
   * @throws AssertionFailedError with the expected and actual content (an IDE shows the diff), or
   *     saying what the folder holds when the file is missing
   */
  public FileAssert hasContent(String expected) {
    String actual = withoutNewline(content());
    if (!actual.equals(withoutNewline(expected))) {
      throw new AssertionFailedError(
          hostPath + " holds \"" + actual + "\", expected \"" + withoutNewline(expected) + "\"",
          withoutNewline(expected),
          actual);
    }
    return this;
  }

  /**
   * The file's content contains {@code part}.
   *
   * @param part text the content must contain
   * @return this assertion, to chain more
   * @throws AssertionFailedError showing the content, or what the folder holds when it is missing
   */
  public FileAssert contains(String part) {
    String actual = content();
    if (!actual.contains(part)) {
      throw new AssertionFailedError(
          hostPath + " does not contain \"" + part + "\"; it holds \"" + actual + "\"");
    }
    return this;
  }

  /**
   * Something is at the path: a file, a folder or a link (even one whose target is gone).
   *
   * @return this assertion, to chain more
   * @throws AssertionFailedError saying what the nearest folder holds
   */
  public FileAssert exists() {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new AssertionFailedError(missing());
    }
    return this;
  }

  /**
   * Nothing is at the path.
   *
   * @return this assertion, to chain more
   * @throws AssertionFailedError saying what is there
   */
  public FileAssert doesNotExist() {
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new AssertionFailedError(hostPath + " exists: " + whatIsThere());
    }
    return this;
  }

  /**
   * The path is a symbolic link to {@code target}: either the target as the link holds it ({@code
   * ../../../bus/pci/drivers/vfio-pci}) or, given as an absolute host path, where it leads ({@code
   * /sys/bus/pci/drivers/vfio-pci}).
   *
   * @param target the link's target as held, or the host path it leads to
   * @return this assertion, to chain more
   * @throws AssertionFailedError saying what is there instead
   */
  public FileAssert isLinkTo(String target) {
    if (!Files.isSymbolicLink(file)) {
      throw new AssertionFailedError(
          hostPath + " is not a link to " + target + ": " + whatIsThere(), target, whatIsThere());
    }
    String held = linkTarget();
    if (!held.equals(target) && !leadsTo(held).equals(target)) {
      throw new AssertionFailedError(
          hostPath + " links to " + held + " (" + leadsTo(held) + "), expected " + target,
          target,
          leadsTo(held));
    }
    return this;
  }

  /**
   * Back to the host, to assert more: {@code .file(a).exists().and().file(b).doesNotExist()}.
   *
   * @return the host assertion this file assertion came from
   */
  public HostAssert and() {
    return host;
  }

  private String content() {
    if (!Files.exists(file)) {
      throw new AssertionFailedError(missing());
    }
    if (Files.isDirectory(file)) {
      throw new AssertionFailedError(hostPath + " is " + whatIsThere());
    }
    try {
      return HostPaths.content(root, file, hostPath);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What is at the path, for a message. */
  private String whatIsThere() {
    if (Files.isSymbolicLink(file)) {
      return "a link to " + linkTarget();
    }
    if (Files.isDirectory(file)) {
      return "a folder holding " + names(file);
    }
    try {
      if (!HostPaths.isRegular(file)) {
        return HostPaths.kind(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "a file holding \"" + withoutNewline(content()) + "\"";
  }

  /** The path is missing: say so, and what its nearest existing folder holds. */
  private String missing() {
    Path folder = file.getParent();
    while (!Files.isDirectory(folder) && folder.startsWith(root) && !folder.equals(root)) {
      folder = folder.getParent();
    }
    return "no "
        + hostPath
        + "; "
        + HostPaths.of(root, folder).replaceAll("/$", "")
        + "/ holds "
        + names(folder);
  }

  /**
   * Where a link's target leads, as a host path: from the link's real folder, as the kernel does.
   */
  private String leadsTo(String held) {
    try {
      Path target = file.getParent().toRealPath().resolve(held).normalize();
      return target.startsWith(root) ? HostPaths.of(root, target) : target.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String linkTarget() {
    try {
      return Files.readSymbolicLink(file).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String names(Path folder) {
    try (Stream<Path> entries = Files.list(folder)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList().toString();
    } catch (IOException e) {
      return "(nothing readable: " + e.getMessage() + ")";
    }
  }

  private static String withoutNewline(String text) {
    return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
  }
}
