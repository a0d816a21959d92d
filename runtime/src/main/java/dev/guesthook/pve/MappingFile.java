package dev.guesthook.pve;

import dev.guesthook.id.Printable;
import dev.guesthook.pve.schema.PropertyFormat;
import dev.guesthook.pve.schema.ProxmoxText;
import dev.guesthook.pve.schema.SectionConfigText;
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
 * indented lines are its properties, {@code map} is repeated once per node and is a {@code
 * key=value,...} property string. A bad property spoils only its own mapping: it is kept as one of
 * the section's problems (file:line and why) for whoever uses that mapping, and the other mappings
 * are read on. What Proxmox ignores (a stray line, a section with an invalid id) is ignored.
 */
final class MappingFile {
  private static final Pattern CONFIG_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_-]+");

  /** The mapping plugins' parse_section_header: {@code ^(\S+)\s*$}. */
  private static final Pattern HEADER = Pattern.compile("(\\S+)\\s*");

  /** {@code node => get_standard_option('pve-node')} of every {@code $map_fmt}. */
  static final PropertyFormat.Property NODE =
      PropertyFormat.Property.string().inFormat(PropertyFormat.NODE).required();

  private static final PropertyFormat.Property BOOLEAN =
      PropertyFormat.Property.of(PropertyFormat.Type.BOOLEAN);

  /** A mapping's {@code description}, and a map line's: {@code maxLength => 4096}. */
  static final PropertyFormat.Property DESCRIPTION =
      PropertyFormat.Property.string().atMostCharacters(4096);

  /** One {@code map} line: where it is, and its properties. */
  record MapLine(String where, Map<String, String> properties) {
    String get(String key) {
      return properties.get(key);
    }
  }

  /**
   * What one kind of mapping file allows (its plugin's {@code private()} and {@code options()}):
   * the boolean section properties, and the format of a {@code map} line. {@code id} is in every
   * propertyList but no option, so a property line of that name is unexpected, not unknown.
   */
  record Kind(Set<String> flags, PropertyFormat map) {
    boolean knows(String key) {
      return key.equals("id") || allows(key);
    }

    boolean allows(String key) {
      return key.equals("map") || key.equals("description") || flags.contains(key);
    }
  }

  /** One mapping: its id, description, flags set to 1, map lines, and its bad lines with why. */
  record Section(
      String id, String description, Set<String> flags, List<MapLine> maps, List<String> problems) {
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
   * never refuses a mapping Proxmox uses nor uses a line Proxmox ignores: a header is one word at
   * the start of a line and its section runs to the next line Perl finds false ({@link
   * SectionConfigText}); a line that is neither a header nor an indented property is ignored
   * (Proxmox warns), as is the whole section of a header whose id is not a valid id; a later
   * section of the same id replaces the earlier one. A bad property (or one Proxmox cannot take,
   * such as a control character) is a problem of that mapping only, in SectionConfig's words
   * ({@code unable to parse value of ...}).
   */
  static List<Section> read(String origin, String text, Kind kind) throws PveFileException {
    PveFileException.requireSize(origin, text, "file");
    Map<String, Builder> sections = new LinkedHashMap<>();
    for (SectionConfigText.Section lines :
        SectionConfigText.sections(text, line -> HEADER.matcher(line).matches())) {
      Matcher header = HEADER.matcher(lines.header());
      header.matches();
      String id = header.group(1);
      if (!CONFIG_ID.matcher(id).matches()) {
        continue; // parse_section_header's errmsg: Proxmox skips the section
      }
      Builder section = new Builder(id);
      properties(origin, lines, section, kind);
      sections.remove(
          id); // parse_config's $ids->{$sectionId} = $config: the later section counts, in its
      // place
      sections.put(id, section);
    }
    return sections.values().stream().map(Builder::build).toList();
  }

  /**
   * What parse_config warns about and passes over: lines that are neither a header nor a property,
   * and sections whose id is no valid id. They change no mapping, so they are warnings, not
   * problems.
   */
  static List<String> warnings(String origin, String text) {
    List<String> out = new ArrayList<>();
    for (SectionConfigText.Part part :
        SectionConfigText.read(text, line -> HEADER.matcher(line).matches())) {
      if (part instanceof SectionConfigText.Section section) {
        Matcher header = HEADER.matcher(section.header());
        header.matches();
        if (!CONFIG_ID.matcher(header.group(1)).matches()) {
          out.add(
              origin
                  + ":"
                  + section.line()
                  + ": skip section '"
                  + Printable.of(header.group(1))
                  + "': invalid configuration ID '"
                  + Printable.of(header.group(1))
                  + "'");
        }
        section.ignored().forEach(line -> out.add(SectionConfigText.ignoredWarning(origin, line)));
      } else {
        out.add(SectionConfigText.ignoredWarning(origin, (SectionConfigText.Ignored) part));
      }
    }
    return out;
  }

  /** The properties of one section; a line that is no property is ignored, as Proxmox does. */
  private static void properties(
      String origin, SectionConfigText.Section lines, Builder section, Kind kind) {
    for (SectionConfigText.Property property : lines.properties()) {
      String where = origin + ":" + property.line();
      String value = property.value();
      try {
        // a \r inside a value is SectionConfig's "line feed"; any other control character is
        // refused here
        if (ProxmoxText.hasControlCharacter((property.key() + " " + value).replace("\r", ""))) {
          throw new PveFileException(
              where + ": control character in '" + Printable.of(property.text()) + "'");
        }
        section.property(where, property.key(), value, kind);
      } catch (PveFileException e) {
        section.problems.add(e.getMessage());
      }
    }
  }

  private static final class Builder {
    final String id;
    final Set<String> flags = new LinkedHashSet<>();
    final List<MapLine> maps = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final Set<String> given = new LinkedHashSet<>();
    String description = "";

    Builder(String id) {
      this.id = id;
    }

    /**
     * SectionConfig's {@code check_value} for one property line: {@code map} is an array (one item
     * per line, checked against the kind's map format); the others may be given once; a boolean
     * without a value is 1, else it must be exactly 1 or 0 (check_type, not parse_boolean: no
     * yes/on/true here).
     */
    void property(String where, String key, String value, Kind kind) throws PveFileException {
      try {
        if (!kind.knows(key)) {
          throw new PropertyFormat.Invalid(
              "unknown property type"); // get_property_schema finds no schema
        }
        if (!key.equals("map") && given.contains(key)) { // parse_config's test, before check_value
          throw new PropertyFormat.Invalid("duplicate attribute");
        }
        if (!kind.allows(key)) {
          throw new PropertyFormat.Invalid("unexpected property '" + key + "'");
        }
        if (value.indexOf('\r') >= 0) {
          throw new PropertyFormat.Invalid("property contains a line feed");
        }
        if (key.equals("map")) {
          maps.add(new MapLine(where, mapValue(kind, value)));
          return;
        }
        if (key.equals("description")) {
          DESCRIPTION
              .refusal(value)
              .ifPresent(
                  error -> {
                    throw new PropertyFormat.Invalid(error);
                  });
          description = value;
        } else if (isTrue(value)) {
          flags.add(key);
        }
        given.add(
            key); // only a value check_value accepted is stored, so only it makes a later one a
        // duplicate
      } catch (PropertyFormat.Invalid e) {
        throw new PveFileException(
            where
                + ": section '"
                + id
                + "' - unable to parse value of '"
                + Printable.of(key)
                + "': "
                + e.getMessage());
      }
    }

    private static Map<String, String> mapValue(Kind kind, String value) {
      try {
        return kind.map().parse(value);
      } catch (PropertyFormat.Invalid e) {
        throw new PropertyFormat.Invalid(
            "invalid format - " + e.getMessage()); // check_prop's words around check_format's
      }
    }

    /** A boolean property as check_value takes it (bare is 1; only 1 or 0 pass check_prop). */
    private static boolean isTrue(String value) {
      String checked = SectionConfigText.checkValueInput(BOOLEAN, value);
      BOOLEAN
          .refusal(checked)
          .ifPresent(
              error -> {
                throw new PropertyFormat.Invalid(error);
              });
      return checked.equals("1");
    }

    Section build() {
      return new Section(
          id, description, Set.copyOf(flags), List.copyOf(maps), List.copyOf(problems));
    }
  }
}
