package dev.guesthook.pve;

import java.util.List;

/**
 * A directory mapping for virtiofs ({@code /etc/pve/mapping/directory.cfg}): per node a host path.
 */
public record DirMapping(String id, String description, List<Node> nodes) {
  public record Node(String node, String path) {}

  public List<Node> on(String node) {
    return nodes.stream().filter(n -> n.node().equals(node)).toList();
  }
}
