package dev.guesthook.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a node of a simulated cluster finds the {@code /etc/pve} all its nodes share: a node root
 * is {@code <cluster>/nodes/<node>}, the cluster holds {@link #MARKER}, and the shared tree is
 * {@code <cluster>/pmxcfs}. A node's {@code etc/pve} links into it; the file tree lets links of a
 * node lead there and nowhere else out of the node. Here, below the tree and the sandbox builder,
 * so neither has to know the other.
 */
public final class ClusterShare {
  /** The cluster's marker, relative to the cluster's folder. */
  public static final HostPath MARKER = SandboxMarker.SIMULATOR_FOLDER.resolve("cluster");

  /** The shared tree's folder in the cluster's folder. */
  public static final String SHARED_FOLDER = "pmxcfs";

  /** Where each node sees the shared tree. */
  public static final HostPath MOUNT = HostPath.of("etc", "pve");

  private ClusterShare() {}

  /**
   * The real location of the shared tree of the cluster {@code realRoot} (a resolved node root) is
   * a node of; empty when it is no node of a simulated cluster.
   */
  public static Optional<Path> of(Path realRoot) {
    Path nodes = realRoot.getParent();
    if (nodes == null
        || nodes.getParent() == null
        || !nodes.getFileName().toString().equals("nodes")) {
      return Optional.empty();
    }
    Path cluster = nodes.getParent();
    Path shared = cluster.resolve(SHARED_FOLDER);
    if (!Files.isRegularFile(MARKER.under(cluster), LinkOption.NOFOLLOW_LINKS)
        || !Files.isDirectory(shared, LinkOption.NOFOLLOW_LINKS)
        || !SandboxMarker.isSandbox(realRoot)) {
      return Optional.empty();
    }
    try {
      return Optional.of(shared.toRealPath());
    } catch (IOException gone) {
      return Optional.empty();
    }
  }
}
