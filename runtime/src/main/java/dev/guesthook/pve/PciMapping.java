package dev.guesthook.pve;

import dev.guesthook.id.PciAddress;
import java.util.List;
import java.util.Optional;

/**
 * A cluster-wide PCI resource mapping from {@code /etc/pve/mapping/pci.cfg}: a name, and per node the
 * device paths it stands for (the first available of {@code path=a;b;c} is used) with the ids they must
 * still have. A mapping with {@code problems} (its bad lines, each with file:line and why) is refused to
 * the guests that use it, and only to them.
 */
public record PciMapping(String id, String description, boolean mdev, boolean liveMigrationCapable, List<Node> nodes,
    List<String> problems) {

  /** One {@code map node=...,path=...,id=vvvv:dddd[,subsystem-id=...][,iommugroup=N]} line, values as written. */
  public record Node(String node, List<String> paths, String ids, Optional<String> subsystemIds, Optional<String> iommuGroup) {
    /** The functions the paths name directly (a path without a function names a whole slot). */
    public List<PciAddress> functions() {
      return paths.stream().filter(p -> p.contains(".")).map(PciAddress::parse).toList();
    }
  }

  /** This node's entries; a mapping with problems is refused, naming them: a half-read mapping could pick the wrong device. */
  public List<Node> on(String node) {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("mapping '" + id + "' cannot be used: " + String.join("; ", problems));
    }
    return nodes.stream().filter(n -> n.node().equals(node)).toList();
  }
}
