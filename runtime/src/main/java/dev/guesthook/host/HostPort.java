package dev.guesthook.host;

/**
 * The one way guesthook touches a host: sysfs and Proxmox files, links, and processes. The real
 * host, the simulated kernel, dry runs and the recorder are all implementations or wrappers of this
 * seam, which is why a hook behaves the same on a node, in a test and in a replay.
 *
 * <p>All calls block; callers run them on worker threads, never on an event loop.
 */
public interface HostPort extends HostFiles {
  /**
   * Runs a process. A command that cannot be started fails with an errno; a non-zero exit does not.
   */
  CommandResult run(HostCommand command);

  /** What kind of host this is, for messages: real, simulated, dry run. */
  String describe();
}
