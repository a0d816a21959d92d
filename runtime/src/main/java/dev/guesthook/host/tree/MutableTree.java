package dev.guesthook.host.tree;

import dev.guesthook.host.HostFiles;
import dev.guesthook.host.HostPath;

/**
 * A host tree the simulated kernel can reshape the way the real kernel reshapes sysfs: make device
 * directories, point links, take whole devices away. Only the simulator uses this; hooks get the
 * port.
 */
public interface MutableTree extends HostFiles {
  void makeDirectory(HostPath directory);

  /** Makes (or replaces) {@code link} as a symlink to {@code target}. */
  void link(HostPath link, HostPath target);

  /** Removes a directory with everything in it, without following links. */
  void removeTree(HostPath path);
}
