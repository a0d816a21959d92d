package dev.guesthook.pve;

import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks a PCI resource mapping against the hardware, as pve-guest-common's {@code
 * PVE::Mapping::PCI::assert_valid} does before Proxmox passes a mapped device through: per path (a
 * slot means its function 0), the device's vendor:device against {@code id}, its IOMMU group
 * against {@code iommugroup} (first path only), whether it offers mediated devices against the
 * mapping's {@code mdev}, and its subsystem ids against {@code subsystem-id}. Values are compared
 * as upstream compares them: as strings, {@code 0x} removed, case kept. Where upstream stops at the
 * first difference, this names every one, each starting with upstream's own message.
 */
public final class MappingCheck {
  /** The properties assert_valid compares, in its order ({@code sort keys}). */
  private static final List<String> PROPERTIES =
      List.of("id", "iommugroup", "mdev", "subsystem-id");

  /** qemu-server's {@code parse_hostpci}: no entry for this node, or assert_valid refused one. */
  private static final String NOT_FOUND = "PCI device mapping not found for '%s'";

  private static final String INVALID = "PCI device mapping invalid (hardware probably changed): ";
  private static final Pattern IOMMU_GROUP_LINK = Pattern.compile(".*/(\\d+)");

  private final HostPort host;

  public MappingCheck(HostPort host) {
    this.host = host;
  }

  /**
   * Why qemu-server's {@code parse_hostpci} would refuse {@code hostpciN: mapping=id} on {@code
   * node}, in its words ({@code PCI device mapping not found for ...} when pve-guest-common's
   * {@code find_on_current_node} finds no entry, {@code PCI device mapping invalid ...} when {@code
   * assert_valid} fails) with guesthook's detail after them; empty when it would start. A mapping
   * with bad lines is refused in guesthook's words: Proxmox would drop the lines and might pick a
   * device.
   */
  public Optional<String> refusal(String id, Map<String, PciMapping> mappings, String node) {
    PciMapping mapping = mappings.get(id);
    if (mapping == null) {
      return Optional.of(
          NOT_FOUND.formatted(id)
              + " (no mapping '"
              + id
              + "' in /etc/pve/mapping/pci.cfg; "
              + (mappings.isEmpty()
                  ? "it has none"
                  : "it has " + String.join(", ", mappings.keySet()))
              + ")");
    }
    Optional<String> unusable = mapping.refusalOn(node);
    if (unusable.isPresent()) {
      return unusable;
    }
    List<PciMapping.Node> entries = mapping.on(node);
    if (entries.isEmpty()) {
      return Optional.of(
          NOT_FOUND.formatted(id) + " (mapping '" + id + "' has no entry for node " + node + ")");
    }
    List<String> differences = new ArrayList<>();
    entries.forEach(entry -> differences.addAll(differences(mapping, entry)));
    return differences.isEmpty()
        ? Optional.empty()
        : Optional.of(INVALID + String.join("; ", differences));
  }

  /**
   * The differences between {@code entry} of {@code mapping} and this host; empty when it matches.
   */
  public List<String> differences(PciMapping mapping, PciMapping.Node entry) {
    List<String> out = new ArrayList<>();
    for (int index = 0; index < entry.paths().size(); index++) {
      String path = entry.paths().get(index);
      String function =
          path.matches("(?i).*\\.[a-f0-9].*") ? path : path + ".0"; // a whole slot: its function 0
      Optional<Map<String, Optional<String>>> device = deviceInfo(PciAddress.parse(function));
      if (device.isEmpty()) {
        out.add("pci device '" + function + "' not found");
        continue;
      }
      Map<String, Optional<String>> configured = configured(mapping, entry);
      for (String prop : PROPERTIES) {
        if (!(prop.equals("iommugroup")
            && index > 0)) { // the IOMMU group is checked on the first device only
          compare(mapping.id(), function, prop, device.get().get(prop), configured.get(prop))
              .ifPresent(out::add);
        }
      }
    }
    return out;
  }

  private static Map<String, Optional<String>> configured(
      PciMapping mapping, PciMapping.Node entry) {
    Map<String, Optional<String>> out = new LinkedHashMap<>();
    out.put("id", Optional.of(entry.ids()));
    out.put("iommugroup", entry.iommuGroup());
    out.put("mdev", Optional.of(mapping.mdev() ? "1" : "0"));
    out.put("subsystem-id", entry.subsystemIds());
    return out;
  }

  /**
   * The device as pve-common's {@code PVE::SysFSTools::pci_device_info($path, 1)} sees it, or empty
   * where it returns undef: no device, an irq that is not a number, a vendor or device id without
   * {@code 0x}. Subsystem ids only when both files exist; the IOMMU group only with its link.
   * (Every kernel PCI device has an {@code irq}; a simulated one may not, so only a bad irq counts
   * here.)
   */
  private Optional<Map<String, Optional<String>>> deviceInfo(PciAddress address) {
    boolean badIrq = firstLine(address, "irq").filter(irq -> !irq.matches("\\d+")).isPresent();
    Optional<String> vendor =
        firstLine(address, "vendor").filter(v -> v.startsWith("0x")).map(v -> v.substring(2));
    Optional<String> device =
        firstLine(address, "device").filter(d -> d.startsWith("0x")).map(d -> d.substring(2));
    if (!host.exists(SysfsPaths.device(address))
        || badIrq
        || vendor.isEmpty()
        || device.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> subVendor =
        firstLine(address, "subsystem_vendor").map(v -> v.replaceFirst("^0x", ""));
    Optional<String> subDevice =
        firstLine(address, "subsystem_device").map(d -> d.replaceFirst("^0x", ""));
    Map<String, Optional<String>> out = new LinkedHashMap<>();
    out.put("id", Optional.of(vendor.get() + ":" + device.get()));
    out.put("iommugroup", iommuGroup(address));
    out.put("mdev", Optional.of(offersMdev(address) ? "1" : "0"));
    out.put(
        "subsystem-id",
        subVendor.isPresent() && subDevice.isPresent()
            ? Optional.of(subVendor.get() + ":" + subDevice.get())
            : Optional.empty());
    return Optional.of(out);
  }

  /** {@code file_read_first_line}: empty for a file that does not exist. */
  private Optional<String> firstLine(PciAddress address, String attribute) {
    HostPath file = SysfsPaths.device(address, attribute);
    if (!host.exists(file)) {
      return Optional.empty();
    }
    String text = host.read(file);
    int newline = text.indexOf('\n');
    return Optional.of(newline < 0 ? text : text.substring(0, newline));
  }

  /** The number at the end of the {@code iommu_group} link, as {@code int()} gives it. */
  private Optional<String> iommuGroup(PciAddress address) {
    return host.readLink(SysfsPaths.device(address, "iommu_group"))
        .map(HostPath::toString)
        .map(IOMMU_GROUP_LINK::matcher)
        .filter(Matcher::matches)
        .map(m -> String.valueOf(Integer.parseInt(m.group(1))));
  }

  private boolean offersMdev(PciAddress address) {
    return host.exists(SysfsPaths.mdevTypes(address))
        || host.exists(SysfsPaths.device(address).resolve("nvidia"));
  }

  /** assert_valid's three refusals for one property, each followed by what guesthook adds. */
  private static Optional<String> compare(
      String name,
      String path,
      String prop,
      Optional<String> expected,
      Optional<String> configured) {
    if (expected.isEmpty() && configured.isEmpty()) {
      return Optional.empty();
    }
    if (configured.isEmpty()) {
      return Optional.of(
          "missing expected property '"
              + prop
              + "' for device '"
              + path
              + "' (the device has "
              + expected.get()
              + ", the mapping names none)");
    }
    if (expected.isEmpty()) {
      return Optional.of(
          "unexpected property '"
              + prop
              + "' configured for device '"
              + path
              + "' (the mapping says "
              + configured.get()
              + ", the device has none)");
    }
    String real = expected.get().replace("0x", "");
    String mapped = configured.get().replace("0x", "");
    return real.equals(mapped)
        ? Optional.empty()
        : Optional.of(
            "'"
                + prop
                + "' does not match for '"
                + name
                + "' ("
                + real
                + " != "
                + mapped
                + ") on device '"
                + path
                + "' (if it is the right card, set "
                + prop
                + "="
                + real
                + " in the mapping's map line)");
  }
}
