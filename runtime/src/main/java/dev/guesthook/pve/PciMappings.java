package dev.guesthook.pve;

import dev.guesthook.id.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code /etc/pve/mapping/pci.cfg} (pve-guest-common PVE::Mapping::PCI). A mapping with a bad line is
 * still read, with its problems: only the guests that use it are refused (see {@link PciMapping#on}).
 */
public final class PciMappings {
  private static final Pattern PCI_PATH = Pattern.compile("[a-f0-9]{4,}:[a-f0-9]{2}:[a-f0-9]{2}(\\.[a-f0-9])?");
  private static final Pattern IDS = Pattern.compile("[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}");

  private PciMappings() {}

  public static Map<String, PciMapping> parse(String origin, String text) throws PveFileException {
    Map<String, PciMapping> out = new LinkedHashMap<>();
    for (MappingFile.Section s : MappingFile.read(origin, text, Set.of("mdev", "live-migration-capable"))) {
      List<PciMapping.Node> nodes = new ArrayList<>();
      List<String> problems = new ArrayList<>(s.problems());
      for (MappingFile.MapLine map : s.maps()) {
        try {
          nodes.add(node(map));
        } catch (PveFileException e) {
          problems.add(e.getMessage());
        }
      }
      out.put(s.id(), new PciMapping(s.id(), s.description(), s.flags().contains("mdev"),
          s.flags().contains("live-migration-capable"), List.copyOf(nodes), List.copyOf(problems)));
    }
    return out;
  }

  private static PciMapping.Node node(MappingFile.MapLine map) throws PveFileException {
    String node = MappingFile.required(map, "node");
    List<String> paths = List.of(MappingFile.required(map, "path").split(";"));
    for (String path : paths) {
      if (!PCI_PATH.matcher(path).matches()) {
        throw new PveFileException(map.where() + ": map path '" + Printable.of(path) + "' is not a PCI address");
      }
      if (!path.matches("[a-f0-9]{4}:.*")) {
        // Proxmox accepts wider domains (Intel VMD puts its devices in 10000 and up), but hostpciN and every
        // sysfs address guesthook checks have four digits: such an entry is refused, not the whole file.
        throw new PveFileException(map.where() + ": map path '" + Printable.of(path)
            + "': PCI domains wider than 4 hex digits (such as Intel VMD's) are not supported by guesthook");
      }
      if (path.contains(".")) {
        try {
          dev.guesthook.id.PciAddress.parse(path);
        } catch (IllegalArgumentException e) {
          throw new PveFileException(map.where() + ": map path: " + e.getMessage());
        }
      }
    }
    String ids = MappingFile.required(map, "id");
    for (String key : List.of("id", "subsystem-id")) {
      if (map.get(key) != null && !IDS.matcher(map.get(key)).matches()) {
        throw new PveFileException(map.where() + ": map " + key + " '" + Printable.of(map.get(key)) + "' is not vendor:device");
      }
    }
    Optional<Integer> group;
    try {
      group = Optional.ofNullable(map.get("iommugroup")).map(Integer::valueOf);
    } catch (NumberFormatException e) {
      throw new PveFileException(map.where() + ": iommugroup '" + Printable.of(map.get("iommugroup")) + "' is not a number");
    }
    return new PciMapping.Node(node, paths, ids.toLowerCase(java.util.Locale.ROOT),
        Optional.ofNullable(map.get("subsystem-id")), group);
  }
}
