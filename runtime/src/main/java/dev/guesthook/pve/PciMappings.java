package dev.guesthook.pve;

import static dev.guesthook.pve.schema.PropertyFormat.Property.integer;
import static dev.guesthook.pve.schema.PropertyFormat.Property.string;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import dev.guesthook.pve.schema.PropertyFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /etc/pve/mapping/pci.cfg} (pve-guest-common PVE::Mapping::PCI). A mapping with a bad line
 * is still read, with its problems: only the guests that use it are refused (see {@link
 * PciMapping#on}).
 */
public final class PciMappings {
  /**
   * PVE::Mapping::PCI's {@code $PCI_RE}. Upstream writes it in a double-quoted string, where {@code
   * "\."} is a plain {@code .}: any character before the function digit, so {@code 0000:0c:00x0} is
   * a path Proxmox reads (and later does not find).
   */
  private static final String PCI_RE = "[a-f0-9]{4,}:[a-f0-9]{2}:[a-f0-9]{2}(?:.[a-f0-9])?";

  private static final String IDS = "[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}";

  /**
   * PVE::Mapping::PCI's {@code $map_fmt}, and its booleans {@code mdev} and {@code
   * live-migration-capable}.
   */
  static final MappingFile.Kind KIND =
      new MappingFile.Kind(
          Set.of("mdev", "live-migration-capable"),
          new PropertyFormat(
              Map.of(
                  "node", MappingFile.NODE,
                  "id", string().matching(IDS).required(),
                  "subsystem-id", string().matching(IDS),
                  "path", string().matchingList(PCI_RE, ';', 1).required(),
                  "iommugroup", integer(null, null),
                  "description", MappingFile.DESCRIPTION)));

  private PciMappings() {}

  /**
   * What Proxmox warns about in the file and passes over (ignored lines, sections with a bad id).
   */
  public static List<String> warnings(String origin, String text) {
    return MappingFile.warnings(origin, text);
  }

  public static Map<String, PciMapping> parse(String origin, String text) throws PveFileException {
    Map<String, PciMapping> out = new LinkedHashMap<>();
    for (MappingFile.Section s : MappingFile.read(origin, text, KIND)) {
      List<PciMapping.Node> nodes = new ArrayList<>();
      List<String> problems = new ArrayList<>(s.problems());
      for (MappingFile.MapLine map : s.maps()) {
        nodes.add(node(map));
      }
      out.put(
          s.id(),
          new PciMapping(
              s.id(),
              s.description(),
              s.flags().contains("mdev"),
              s.flags().contains("live-migration-capable"),
              List.copyOf(nodes),
              List.copyOf(problems)));
    }
    return out;
  }

  /**
   * A map line the format accepted. Its ids and IOMMU group are kept as written: assert_valid
   * compares them as strings with the device's (lower-case hex, a decimal group), so {@code
   * 10DE:2204} or {@code iommugroup=07} never match, in Proxmox as here.
   */
  private static PciMapping.Node node(MappingFile.MapLine map) {
    List<String> paths = List.of(map.get("path").split(";"));
    List<String> unusable = new ArrayList<>();
    for (String path : paths) {
      try {
        requireUsable(map.where(), path);
      } catch (PveFileException e) {
        unusable.add(e.getMessage());
      }
    }
    return new PciMapping.Node(
        map.get("node"),
        paths,
        map.get("id"),
        Optional.ofNullable(map.get("subsystem-id")),
        Optional.ofNullable(map.get("iommugroup")),
        List.copyOf(unusable));
  }

  /** A path Proxmox accepts but guesthook cannot act on: refused for this mapping only. */
  private static void requireUsable(String where, String path) throws PveFileException {
    if (!path.matches("[a-f0-9]{4}:.*")) {
      // Proxmox accepts wider domains (Intel VMD puts its devices in 10000 and up), but hostpciN
      // and every
      // sysfs address guesthook checks have four digits
      throw new PveFileException(
          where
              + ": map path '"
              + Printable.of(path)
              + "': PCI domains wider than 4 hex digits (such as Intel VMD's) are not supported by guesthook");
    }
    String function =
        path.contains(".") ? path : path + ".0"; // assert_valid's whole slot: its function 0
    try {
      PciAddress.parse(function);
    } catch (IllegalArgumentException e) {
      throw new PveFileException(
          where
              + ": map path '"
              + Printable.of(path)
              + "': pci device '"
              + Printable.of(function)
              + "' not found");
    }
  }
}
