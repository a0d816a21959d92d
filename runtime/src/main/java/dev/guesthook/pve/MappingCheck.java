package dev.guesthook.pve;

import dev.guesthook.devices.PciDevice;
import dev.guesthook.devices.PciDevices;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks a PCI resource mapping against the hardware, as pve-guest-common's
 * {@code PVE::Mapping::PCI::assert_valid} does before Proxmox passes a mapped device through: per path
 * (a slot means its function 0), the device's vendor:device against {@code id}, its IOMMU group against
 * {@code iommugroup} (first path only), its subsystem ids against {@code subsystem-id}, and whether it
 * offers mediated devices against the mapping's {@code mdev}. Where upstream stops at the first
 * difference, this names every one, so a changed card is understood in one go.
 */
public final class MappingCheck {
  private final HostPort host;
  private final PciDevices pci;

  public MappingCheck(HostPort host) {
    this.host = host;
    this.pci = new PciDevices(host);
  }

  /** The differences between {@code entry} of {@code mapping} and this host; empty when it matches. */
  public List<String> differences(PciMapping mapping, PciMapping.Node entry) {
    List<String> out = new ArrayList<>();
    int index = 0;
    for (String path : entry.paths()) {
      PciAddress address = PciAddress.parse(path.contains(".") ? path : path + ".0");
      if (!pci.exists(address)) {
        out.add("pci device '" + address + "' not found");
        index++;
        continue;
      }
      PciDevice device = pci.info(address);
      Map<String, Optional<String>> expected = new LinkedHashMap<>();
      Map<String, Optional<String>> configured = new LinkedHashMap<>();
      expected.put("id", Optional.of(device.ids()));
      configured.put("id", Optional.of(entry.ids()));
      if (index == 0) {
        expected.put("iommugroup", device.iommuGroup());
        configured.put("iommugroup", entry.iommuGroup().map(String::valueOf));
      }
      expected.put("mdev", Optional.of(offersMdev(address) ? "1" : "0"));
      configured.put("mdev", Optional.of(mapping.mdev() ? "1" : "0"));
      expected.put("subsystem-id", Optional.of(String.format("%04x:%04x", device.subsystemVendor(), device.subsystemDevice())));
      configured.put("subsystem-id", entry.subsystemIds().map(s -> s.toLowerCase(java.util.Locale.ROOT)));
      expected.forEach((prop, real) -> compare(mapping.id(), address, prop, real, configured.get(prop), out));
      index++;
    }
    return out;
  }

  private static void compare(String name, PciAddress address, String prop, Optional<String> real,
      Optional<String> mapped, List<String> out) {
    if (real.isEmpty() && mapped.isEmpty()) {
      return;
    }
    if (mapped.isEmpty()) {
      out.add("missing expected property '" + prop + "' for device '" + address + "' (the device has " + real.get() + ")");
    } else if (real.isEmpty()) {
      out.add("unexpected property '" + prop + "' configured for device '" + address + "' (the mapping says "
          + mapped.get() + ", the device has none)");
    } else if (!real.get().equals(mapped.get())) {
      out.add("'" + prop + "' does not match for '" + name + "' on " + address + ": the device has " + real.get()
          + ", the mapping says " + mapped.get());
    }
  }

  private boolean offersMdev(PciAddress address) {
    return host.exists(SysfsPaths.mdevTypes(address)) || host.exists(SysfsPaths.device(address).resolve("nvidia"));
  }

}
