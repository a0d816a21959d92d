package dev.guesthook.pve;

import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A cluster-wide PCI resource mapping from {@code /etc/pve/mapping/pci.cfg}: a name, and per node
 * the device paths it stands for (the first available of {@code path=a;b;c} is used) with the ids
 * they must still have. A mapping with {@code problems} (its bad lines, each with file:line and
 * why) is refused to the guests that use it, and only to them.
 */
public record PciMapping(
    String id,
    String description,
    boolean mdev,
    boolean liveMigrationCapable,
    List<Node> nodes,
    List<String> problems) {

  /**
   * One {@code map node=...,path=...,id=vvvv:dddd[,subsystem-id=...][,iommugroup=N]} line, values
   * as written; {@code unusable} says why guesthook cannot act on some of its paths (they matter
   * only on that node: another node's line never spoils this node's).
   */
  public record Node(
      String node,
      List<String> paths,
      String ids,
      Optional<String> subsystemIds,
      Optional<String> iommuGroup,
      List<String> unusable) {
    /** The functions the paths name directly (a path without a function names a whole slot). */
    public List<PciAddress> functions() {
      return paths.stream()
          .filter(p -> p.contains("."))
          .flatMap(PciMapping::usableFunction)
          .toList();
    }
  }

  private static Stream<PciAddress> usableFunction(String path) {
    try {
      return Stream.of(PciAddress.parse(path));
    } catch (IllegalArgumentException unusable) {
      return Stream.empty(); // named in the node's unusable paths
    }
  }

  /**
   * This node's entries; a mapping with problems is refused, naming them: a half-read mapping could
   * pick the wrong device.
   */
  public List<Node> on(String node) {
    refusalOn(node)
        .ifPresent(
            why -> {
              throw new IllegalArgumentException(why);
            });
    return entries(node);
  }

  /**
   * Why this mapping cannot be used on {@code node}: its bad lines, or paths of that node guesthook
   * cannot act on.
   */
  public Optional<String> refusalOn(String node) {
    List<String> why = new ArrayList<>(problems);
    entries(node).forEach(entry -> why.addAll(entry.unusable()));
    return why.isEmpty()
        ? Optional.empty()
        : Optional.of("mapping '" + id + "' cannot be used: " + String.join("; ", why));
  }

  private List<Node> entries(String node) {
    return nodes.stream().filter(n -> n.node().equals(node)).toList();
  }
}
