package dev.guesthook.pve;

import dev.guesthook.id.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The shape every resource mapping file shares ({@code /etc/pve/mapping/pci.cfg}, {@code usb.cfg},
 * {@code directory.cfg}; pve-guest-common's PVE::Mapping::*): an unindented id opens a section,
 * indented lines are its properties, {@code map} is repeated once per node and is a
 * {@code key=value,...} property string. As in Proxmox, a bad property spoils only its own mapping: it
 * is kept as one of the section's problems (file:line and why) for whoever uses that mapping, and the
 * other mappings are read on. What breaks the file's shape (a bad or repeated id, a line outside any
 * section, a control character) is an error naming the file and line.
 */
final class MappingFile {
  private static final Pattern CONFIG_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]+");

  /** One {@code map} line: where it is, and its properties. */
  record MapLine(String where, Map<String, String> properties) {
    String get(String key) {
      return properties.get(key);
    }
  }

  /** One mapping: its id, description, flags set to 1, map lines, and its bad lines with why. */
  record Section(String id, String description, Set<String> flags, List<MapLine> maps, List<String> problems) {
    /** For a kind of mapping read all or nothing: fails with the first problem. */
    Section requireNoProblems() throws PveFileException {
      if (!problems.isEmpty()) {
        throw new PveFileException(problems.get(0));
      }
      return this;
    }
  }

  private MappingFile() {}

  /** Reads the sections; {@code flags} are the boolean properties this kind of mapping has. */
  static List<Section> read(String origin, String text, Set<String> flags) throws PveFileException {
    ProxmoxText.requireSize(origin, text, "file");
    List<Section> out = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    Builder section = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      String where = origin + ":" + (i + 1);
      if (line.isBlank() || line.stripLeading().startsWith("#")) {
        continue;
      }
      if (ProxmoxText.hasControlCharacter(line)) {
        throw new PveFileException(where + ": control character in '" + Printable.of(line) + "'");
      }
      if (!Character.isWhitespace(line.charAt(0))) {
        if (section != null) {
          out.add(section.build());
        }
        String id = line.strip();
        if (!CONFIG_ID.matcher(id).matches()) {
          throw new PveFileException(where + ": '" + Printable.of(id) + "' is not a mapping id");
        }
        if (!ids.add(id)) {
          throw new PveFileException(where + ": mapping '" + id + "' defined twice");
        }
        section = new Builder(id);
        continue;
      }
      if (section == null) {
        throw new PveFileException(where + ": property outside a mapping section");
      }
      String[] keyValue = line.strip().split("\\s+", 2);
      String key = keyValue[0];
      String value = keyValue.length > 1 ? keyValue[1] : "";
      try {
        section.property(where, key, value, flags);
      } catch (PveFileException e) {
        section.problems.add(e.getMessage());
      }
    }
    if (section != null) {
      out.add(section.build());
    }
    return out;
  }

  /** Fails naming the line when a required property of a map line is missing. */
  static String required(MapLine map, String key) throws PveFileException {
    String value = map.get(key);
    if (value == null || value.isEmpty()) {
      throw new PveFileException(map.where() + ": map without " + key + "=");
    }
    return value;
  }

  private static Map<String, String> properties(String where, String value) throws PveFileException {
    Map<String, String> props = new LinkedHashMap<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 1) {
        throw new PveFileException(where + ": map: '" + Printable.of(part) + "' is not key=value");
      }
      if (props.put(part.substring(0, eq), part.substring(eq + 1)) != null) {
        throw new PveFileException(where + ": map: '" + Printable.of(part.substring(0, eq)) + "' given twice");
      }
    }
    return props;
  }

  private static final class Builder {
    final String id;
    final Set<String> flags = new LinkedHashSet<>();
    final List<MapLine> maps = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    String description = "";

    Builder(String id) {
      this.id = id;
    }

    void property(String where, String key, String value, Set<String> knownFlags) throws PveFileException {
      if (key.equals("map")) {
        maps.add(new MapLine(where, properties(where, value)));
      } else if (key.equals("description")) {
        description = value;
      } else if (knownFlags.contains(key)) {
        if (!value.matches("[01]?")) {
          throw new PveFileException(where + ": " + key + " '" + Printable.of(value) + "' is not 0 or 1");
        }
        if (!value.equals("0")) {
          flags.add(key);
        }
      } else {
        throw new PveFileException(where + ": unknown property '" + Printable.of(key) + "'");
      }
    }

    Section build() {
      return new Section(id, description, Set.copyOf(flags), List.copyOf(maps), List.copyOf(problems));
    }
  }
}
