package dev.guesthook.cluster;

import dev.guesthook.devices.Devices;
import dev.guesthook.devices.PciDevices;
import dev.guesthook.devices.VirtualFunction;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.PciAddress;
import dev.guesthook.pve.MappingCheck;
import dev.guesthook.pve.PciMapping;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Each PCI resource mapping as this node sees it, for {@code cluster place} on any node: the same
 * {@link MappingCheck} the pci-mapping hook runs at pre-start (so a mapping's verdict is this
 * node's hardware's, not a copy of the rule), and the free VFs among this node's paths as the
 * sriov-vf hook counts them for a {@code mapping:} entry. Reads {@code /etc/pve/mapping/pci.cfg}
 * (small, pmxcfs's) and only this node's mapped functions in sysfs.
 */
final class MappingSurvey {
  private final HostPort host;
  private final Devices devices;

  MappingSurvey(HostPort host) {
    this.host = host;
    this.devices = new Devices(host);
  }

  /** Every mapping's verdict here; none when pci.cfg cannot be read (a phase names that). */
  List<NodeReport.Mapping> survey(NodeName node, Set<PciAddress> held) {
    Map<String, PciMapping> mappings;
    try {
      mappings = new Pve(host).pciMappings();
    } catch (PveFileException unreadable) {
      return List.of();
    }
    MappingCheck check = new MappingCheck(host);
    List<NodeReport.Mapping> out = new ArrayList<>();
    for (PciMapping mapping : mappings.values()) {
      Optional<String> unusable = mapping.refusalOn(node.value());
      List<PciMapping.Node> entries = unusable.isPresent() ? List.of() : mapping.on(node.value());
      out.add(
          new NodeReport.Mapping(
              mapping.id(),
              check.refusal(mapping.id(), mappings, node.value()).orElse(null),
              entries.size(),
              freeVfs(entries, held)));
    }
    return out;
  }

  /**
   * sriov-vf's count for a mapping: its paths' VFs a guest could claim, and paths with no device
   * yet (a raise makes them).
   */
  private int freeVfs(List<PciMapping.Node> entries, Set<PciAddress> held) {
    PciDevices pci = devices.pci();
    List<PciAddress> paths = entries.stream().flatMap(e -> e.functions().stream()).toList();
    List<VirtualFunction> existing =
        paths.stream().filter(pci::exists).flatMap(p -> devices.sriov().asVf(p).stream()).toList();
    long absent = paths.stream().filter(p -> !pci.exists(p)).count();
    return devices.sriov().freeCount(existing, held) + (int) absent;
  }
}
