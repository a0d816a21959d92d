package dev.guesthook.pve;

import dev.guesthook.event.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses {@code /etc/pve/mapping/pci.cfg}, a Proxmox section config (pve-guest-common
 * PVE::Mapping::PCI): an unindented mapping id opens a section; indented lines are its properties,
 * {@code map} repeated once per node. Errors name the file and line.
 */
public final class PciMappings {
  private static final Pattern CONFIG_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*");
  private static final Pattern PCI_PATH = Pattern.compile("[a-f0-9]{4,}:[a-f0-9]{2}:[a-f0-9]{2}(\\.[a-f0-9])?");
  private static final Pattern IDS = Pattern.compile("[0-9A-Fa-f]{4}:[0-9A-Fa-f]{4}");

  private PciMappings() {}

  public static Map<String, PciMapping> parse(String origin, String text) throws PveFileException {
    Map<String, PciMapping> out = new LinkedHashMap<>();
    Section section = null;
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      String where = origin + ":" + lineNumber;
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      if (!Character.isWhitespace(line.charAt(0))) {
        if (section != null) {
          out.put(section.id, section.build());
        }
        String id = line.strip();
        if (!CONFIG_ID.matcher(id).matches()) {
          throw new PveFileException(where + ": '" + Printable.of(id) + "' is not a mapping id");
        }
        if (out.containsKey(id)) {
          throw new PveFileException(where + ": mapping '" + id + "' defined twice");
        }
        section = new Section(id);
        continue;
      }
      if (section == null) {
        throw new PveFileException(where + ": property outside a mapping section");
      }
      String[] keyValue = line.strip().split("\\s+", 2);
      String value = keyValue.length > 1 ? keyValue[1] : "";
      switch (keyValue[0]) {
        case "map" -> section.nodes.add(node(where, value));
        case "description" -> section.description = value;
        case "mdev" -> section.mdev = value.equals("1");
        case "live-migration-capable" -> section.liveMigration = value.equals("1");
        default -> throw new PveFileException(where + ": unknown property '" + Printable.of(keyValue[0]) + "'");
      }
    }
    if (section != null) {
      out.put(section.id, section.build());
    }
    return out;
  }

  private static PciMapping.Node node(String where, String value) throws PveFileException {
    Map<String, String> props = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 1) {
        throw new PveFileException(where + ": map: '" + Printable.of(part) + "' is not key=value");
      }
      props.put(part.substring(0, eq), part.substring(eq + 1));
    }
    for (String required : List.of("node", "path", "id")) {
      if (!props.containsKey(required)) {
        throw new PveFileException(where + ": map without " + required + "=");
      }
    }
    List<String> paths = List.of(props.get("path").split(";"));
    for (String path : paths) {
      if (!PCI_PATH.matcher(path).matches()) {
        throw new PveFileException(where + ": map path '" + Printable.of(path) + "' is not a PCI address");
      }
    }
    if (!IDS.matcher(props.get("id")).matches()) {
      throw new PveFileException(where + ": map id '" + Printable.of(props.get("id")) + "' is not vendor:device");
    }
    Optional<Integer> group;
    try {
      group = Optional.ofNullable(props.get("iommugroup")).map(Integer::valueOf);
    } catch (NumberFormatException e) {
      throw new PveFileException(where + ": iommugroup '" + Printable.of(props.get("iommugroup")) + "' is not a number");
    }
    return new PciMapping.Node(props.get("node"), paths, props.get("id").toLowerCase(java.util.Locale.ROOT),
        Optional.ofNullable(props.get("subsystem-id")), group);
  }

  private static final class Section {
    final String id;
    final List<PciMapping.Node> nodes = new ArrayList<>();
    String description = "";
    boolean mdev;
    boolean liveMigration;

    Section(String id) {
      this.id = id;
    }

    PciMapping build() {
      return new PciMapping(id, description, mdev, liveMigration, List.copyOf(nodes));
    }
  }
}
