package dev.guesthook.host;

import java.util.List;
import java.util.Optional;

/**
 * The file side of a host: attributes, folders and links. A file tree, an overlay and a port all
 * have it.
 */
public interface HostFiles {
  /** The whole content of a file or sysfs attribute. Fails with ENOENT when absent. */
  String read(HostPath path);

  /**
   * Reads a file while holding a shared {@code flock(2)} on {@code lock}, as Proxmox's Perl code
   * ({@code PVE::Tools::lock_file}) guards files it rewrites. Where there is no such lock (an
   * overlay, a replay) it is a plain read.
   */
  /**
   * At most {@code max} bytes from the start of a binary file, as they are: a PCI function's {@code
   * config}, whose 0xff bytes text would turn into replacement characters. Fails as {@link #read}.
   */
  byte[] readBytes(HostPath path, int max);

  default String readLocked(HostPath path, HostPath lock) {
    return read(path);
  }

  /**
   * Writes a value the way {@code echo -n value > path} would; sysfs may refuse it with an errno.
   */
  void write(HostPath path, String value);

  boolean exists(HostPath path);

  /** Entry names of a directory, sorted. Fails with ENOENT/ENOTDIR. */
  List<String> list(HostPath directory);

  /**
   * Makes a directory and its missing parents, like {@code mkdir -p}. For guesthook's own state
   * under {@code /run/guesthook}; sysfs does not let anyone make directories.
   */
  void createDirectories(HostPath directory);

  /** Removes a file, link or empty directory; a path that is already gone is fine. */
  void delete(HostPath path);

  /**
   * Bytes an unprivileged write could still use on the file system holding {@code path} (statvfs).
   */
  long usableBytes(HostPath path);

  /** Where a symlink such as {@code driver} or {@code iommu_group} points, as an absolute path. */
  Optional<HostPath> readLink(HostPath path);
}
