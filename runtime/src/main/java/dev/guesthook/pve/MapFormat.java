package dev.guesthook.pve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The {@code $map_fmt} of a resource mapping file (pve-guest-common's PVE::Mapping::PCI, ::USB, ::Dir),
 * written as data, and a {@code map} value checked as SectionConfig's {@code check_value} checks an
 * array item: pve-common's {@code check_prop} → {@code check_format} → {@code parse_property_string}.
 * Splitting, unknown and repeated keys and patterns are {@link PropertyFormat}'s; what it has no word
 * for (a required key, an integer, a named format such as {@code pve-node}, {@code maxLength}) is
 * checked here with check_prop's own messages. A refusal reads as pve-common's exception:
 * {@code format error} and one {@code key: why} line per key, in key order.
 */
final class MapFormat {
  private static final String FORMAT_ERROR = "format error";
  /** pve-common's {@code pve_verify_node_name}, the {@code pve-node} format. */
  private static final Pattern NODE_NAME = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9\\-]*[a-zA-Z0-9])?");
  /** pve-common's {@code is_integer}. */
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

  /** One key of the format: its pattern (if any), whether it may be left out, and check_prop's other checks. */
  record Key(PropertyFormat.Property property, boolean mayBeLeftOut, Function<String, Optional<String>> check) {
    static Key required(PropertyFormat.Property property) {
      return new Key(property, false, value -> Optional.empty());
    }

    Key optional() {
      return new Key(property, true, check);
    }

    Key checked(Function<String, Optional<String>> more) {
      return new Key(property, mayBeLeftOut, more);
    }
  }

  /** {@code node => get_standard_option('pve-node')}. */
  static Key node() {
    return Key.required(PropertyFormat.Property.string()).checked(value -> NODE_NAME.matcher(value).matches()
        ? Optional.empty() : Optional.of("invalid format - value does not look like a valid node name"));
  }

  /** {@code type => 'string', pattern => ...}. */
  static Key matching(String regex) {
    return Key.required(PropertyFormat.Property.string().matching(regex));
  }

  /** {@code type => 'integer'}: check_type's test. */
  static Key integer() {
    return Key.required(PropertyFormat.Property.string()).checked(value -> INTEGER.matcher(value).matches()
        ? Optional.empty() : Optional.of("type check ('integer') failed - got '" + value + "'"));
  }

  /** {@code description => {type => 'string', optional => 1, maxLength => 4096}}. */
  static Key description() {
    return Key.required(PropertyFormat.Property.string()).optional().checked(MapFormat::maxLength4096);
  }

  static Optional<String> maxLength4096(String value) {
    return value.length() > 4096 ? Optional.of("value may only be 4096 characters long") : Optional.empty();
  }

  private final Map<String, Key> keys;
  private final PropertyFormat patterns;
  private final PropertyFormat plain;

  MapFormat(Map<String, Key> keys) {
    this.keys = Map.copyOf(keys);
    Map<String, PropertyFormat.Property> withPatterns = new LinkedHashMap<>();
    Map<String, PropertyFormat.Property> withoutPatterns = new LinkedHashMap<>();
    keys.forEach((name, key) -> {
      withPatterns.put(name, key.property());
      withoutPatterns.put(name, PropertyFormat.Property.string());
    });
    this.patterns = new PropertyFormat(withPatterns);
    this.plain = new PropertyFormat(withoutPatterns);
  }

  /** The keys of {@code value}; refused with pve-common's message (no file, no line). */
  Map<String, String> parse(String value) throws PropertyFormat.Invalid {
    Map<String, String> values = plain.parse(value); // the split alone: a bad key or a repeated one ends here
    Map<String, String> errors = new TreeMap<>();
    try {
      patterns.parse(value);
    } catch (PropertyFormat.Invalid e) {
      e.getMessage().lines().skip(1).forEach(line -> errors.put(line.substring(0, line.indexOf(": ")),
          line.substring(line.indexOf(": ") + 2)));
    }
    keys.forEach((name, key) -> {
      if (!values.containsKey(name) && !key.mayBeLeftOut()) {
        errors.put(name, "property is missing and it is not optional");
      } else if (values.containsKey(name) && !errors.containsKey(name)) {
        key.check().apply(values.get(name)).ifPresent(error -> errors.put(name, error));
      }
    });
    if (!errors.isEmpty()) {
      List<String> lines = errors.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
      throw new PropertyFormat.Invalid(FORMAT_ERROR + "\n" + String.join("\n", lines));
    }
    return values;
  }
}
