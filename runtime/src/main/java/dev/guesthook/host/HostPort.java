package dev.guesthook.host;

import java.util.List;
import java.util.Optional;

/**
 * The one way guesthook touches a host: sysfs and Proxmox files, links, and processes. The real host,
 * the simulated kernel, dry runs and the recorder are all implementations or wrappers of this seam,
 * which is why a hook behaves the same on a node, in a test and in a replay.
 *
 * <p>All calls block; callers run them on worker threads, never on an event loop.
 */
public interface HostPort {
  /** The whole content of a file or sysfs attribute. Fails with ENOENT when absent. */
  String read(HostPath path);

  /** Writes a value the way {@code echo -n value > path} would; sysfs may refuse it with an errno. */
  void write(HostPath path, String value);

  boolean exists(HostPath path);

  /** Entry names of a directory, sorted. Fails with ENOENT/ENOTDIR. */
  List<String> list(HostPath directory);

  /** Where a symlink such as {@code driver} or {@code iommu_group} points, as an absolute path. */
  Optional<HostPath> readLink(HostPath path);

  /** Runs a process. A command that cannot be started fails with an errno; a non-zero exit does not. */
  CommandResult run(HostCommand command);

  /** What kind of host this is, for messages: real, simulated, dry run. */
  String describe();
}
