package dev.guesthook.pve;

import dev.guesthook.id.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape every resource mapping file shares ({@code /etc/pve/mapping/pci.cfg}, {@code usb.cfg},
 * {@code directory.cfg}; pve-guest-common's PVE::Mapping::*): an unindented id opens a section,
 * indented lines are its properties, {@code map} is repeated once per node and is a
 * {@code key=value,...} property string. A bad property spoils only its own mapping: it is kept as one
 * of the section's problems (file:line and why) for whoever uses that mapping, and the other mappings
 * are read on. What Proxmox ignores (a stray line, a section with an invalid id) is ignored.
 */
final class MappingFile {
  private static final Pattern CONFIG_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]+");
  /** SectionConfig's patterns: a header {@code ^(\S+)\s*$}, a property {@code ^\s+(\S+)(\s+(.*\S))?\s*$}, a comment. */
  private static final Pattern HEADER = Pattern.compile("(\\S+)\\s*");
  private static final Pattern PROPERTY = Pattern.compile("\\s+(\\S+)(?:\\s+(.*\\S))?\\s*", Pattern.DOTALL); // Perl's . takes \r
  private static final Pattern COMMENT = Pattern.compile("\\s*#");

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

  /**
   * Reads the sections as pve-common's {@code PVE::SectionConfig::parse_config} does, so guesthook
   * never refuses a mapping Proxmox uses nor uses a line Proxmox ignores: a header is one word at the
   * start of a line and its section runs to the next empty line; a line that is neither a header nor
   * an indented property is ignored (Proxmox warns), as is the whole section of a header whose id is
   * not a valid id; trailing whitespace ({@code \r} of a CRLF file too) is no part of a value. A bad
   * property (or one Proxmox cannot take, such as a control character) and a repeated id are problems
   * of that mapping only. {@code flags} are the boolean properties this kind of mapping has.
   */
  static List<Section> read(String origin, String text, Set<String> flags) throws PveFileException {
    ProxmoxText.requireSize(origin, text, "file");
    Map<String, Builder> sections = new LinkedHashMap<>();
    Map<String, Integer> headerLines = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher header = HEADER.matcher(lines[i]);
      if (endsSection(lines[i]) || isComment(lines[i]) || !header.matches()) {
        continue; // an empty line, a comment, or a line outside any section: Proxmox ignores it
      }
      String id = header.group(1);
      int end = sectionEnd(lines, i + 1);
      if (CONFIG_ID.matcher(id).matches()) {
        Builder section = new Builder(id);
        properties(origin, lines, i + 1, end, section, flags);
        Integer first = headerLines.putIfAbsent(id, i + 1);
        if (first == null) {
          sections.put(id, section);
        } else {
          sections.get(id).problems.add(origin + ":" + (i + 1) + ": mapping '" + id + "' defined twice (first at line " + first + ")");
        }
      }
      i = end - 1;
    }
    return sections.values().stream().map(Builder::build).toList();
  }

  /** The index of the line that ends a section starting at {@code from}. */
  private static int sectionEnd(String[] lines, int from) {
    int i = from;
    while (i < lines.length && !endsSection(lines[i])) {
      i++;
    }
    return i;
  }

  /** An empty line, or Perl's other false string "0": SectionConfig's loops stop at either. */
  private static boolean endsSection(String line) {
    return line.isEmpty() || line.equals("0");
  }

  private static boolean isComment(String line) {
    return COMMENT.matcher(line).lookingAt();
  }

  /** The properties of one section; a line that is no property is ignored, as Proxmox does. */
  private static void properties(String origin, String[] lines, int from, int end, Builder section, Set<String> flags) {
    for (int i = from; i < end; i++) {
      Matcher property = PROPERTY.matcher(lines[i]);
      if (isComment(lines[i]) || !property.matches()) {
        continue;
      }
      String where = origin + ":" + (i + 1);
      String value = property.group(2) == null ? "" : property.group(2);
      try {
        if (ProxmoxText.hasControlCharacter(property.group(1) + " " + value)) {
          throw new PveFileException(where + ": control character in '" + Printable.of(lines[i]) + "'");
        }
        section.property(where, property.group(1), value, flags);
      } catch (PveFileException e) {
        section.problems.add(e.getMessage());
      }
    }
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
