package dev.guesthook.host.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Failures of real file I/O reach callers as the errno a C program would see: the JDK reports most
 * errnos only as glibc's strerror text, as a plain IOException when write(2) fails (a sysfs store's
 * answer) and as a FileSystemException's reason when open(2) fails.
 */
class FileTreeTest {
  private static final HostPath ATTRIBUTE =
      HostPath.parse("/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs");

  @ParameterizedTest(name = "''{0}'' is {1}")
  @CsvSource({
    "Invalid argument, EINVAL",
    "Device or resource busy, EBUSY",
    "No such device, ENODEV",
    "No such device or address, ENXIO",
    "No such file or directory, ENOENT",
    "File exists, EEXIST",
    "No space left on device, ENOSPC",
    "Numerical result out of range, ERANGE",
    "Operation not supported, EOPNOTSUPP",
    "Too many users, EUSERS",
    "Resource temporarily unavailable, EAGAIN",
    "Protocol not supported, EPROTONOSUPPORT",
    "Argument list too long, E2BIG",
    "Cannot allocate memory, ENOMEM",
    "Inappropriate ioctl for device, ENOTTY",
    "Input/output error, EIO"
  })
  void aFailedWriteIsNamedByItsErrno(String strerror, String errno) {
    HostException error = FileTree.translate(ATTRIBUTE, new IOException(strerror));
    assertEquals(errno, error.errno());
    assertEquals(ATTRIBUTE + ": " + strerror, error.getMessage());
  }

  @Test
  void aFailedOpenIsNamedByItsErrno() {
    HostException error =
        FileTree.translate(
            ATTRIBUTE,
            new FileSystemException(ATTRIBUTE.toString(), null, "No such device or address"));
    assertEquals("ENXIO", error.errno());
    assertEquals(ATTRIBUTE + ": No such device or address", error.getMessage());
  }

  @Test
  void aRealFailedWriteKeepsTheKernelsAnswer() {
    // /dev/full fails every write(2) with ENOSPC, as a sysfs store refusing a value would fail it.
    Path full = Path.of("/dev/full");
    assumeTrue(
        Files.isWritable(full),
        "no writable /dev/full here: run the build where /dev has its usual devices");
    // On the real root: a tree under another root refuses a link that leads out of it, as to
    // /dev/full.
    HostException error =
        assertThrows(
            HostException.class,
            () -> new FileTree(Path.of("/")).write(HostPath.parse("/dev/full"), "1"));
    assertEquals("ENOSPC", error.errno());
    assertEquals("/dev/full: No space left on device", error.getMessage());
  }

  /**
   * A write in a sandbox looks for links below its root by a stat of each component, not by
   * resolving the whole path: a link planted after a first write, at any depth or as the root
   * itself, still keeps the next write in the sandbox.
   */
  @ParameterizedTest(name = "{0} swapped for a link out")
  @CsvSource({"sys/a/attr", "sys/a", "sys", "."})
  void aLinkPlantedAfterAWriteKeepsTheNextInTheSandbox(String swapped, @TempDir Path base)
      throws Exception {
    Path root = Files.createDirectories(base.resolve("sandbox"));
    Files.createDirectories(root.resolve("sys/a"));
    Files.writeString(root.resolve("sys/a/attr"), "");
    FileTree tree = new FileTree(root);
    HostPath attr = HostPath.parse("/sys/a/attr");
    tree.write(attr, "1");
    Path outside = Files.createDirectories(base.resolve("outside"));
    Files.createDirectories(outside.resolve("sys/a"));
    Files.writeString(outside.resolve("sys/a/attr"), "");
    Path target = outside.resolve(swapped).normalize();
    Path place = root.resolve(swapped).normalize();
    Files.move(place, base.resolve("moved"));
    Files.createSymbolicLink(place, target);

    HostException refused = assertThrows(HostException.class, () -> tree.write(attr, "2"));

    assertEquals("EXDEV", refused.errno(), refused::getMessage);
    assertEquals("", Files.readString(outside.resolve("sys/a/attr")));
  }
}
