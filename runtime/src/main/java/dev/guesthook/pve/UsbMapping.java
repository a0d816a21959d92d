package dev.guesthook.pve;

import java.util.List;
import java.util.Optional;

/**
 * A USB resource mapping ({@code /etc/pve/mapping/usb.cfg}): per node a vendor:device id and
 * optionally a port path.
 */
public record UsbMapping(String id, String description, List<Node> nodes) {
  public record Node(String node, String ids, Optional<String> path) {}

  public List<Node> on(String node) {
    return nodes.stream().filter(n -> n.node().equals(node)).toList();
  }
}
