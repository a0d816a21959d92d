package dev.guesthook.pve;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A property-string format written as data, as upstream writes its formats ({@code $hostpci_fmt} in
 * qemu-server), and read as pve-common's {@code PVE::JSONSchema::parse_property_string} reads one: split
 * on {@code ,}, a part without {@code =} goes to the default key, booleans normalised by
 * {@code parse_boolean}, then every value checked as {@code check_object}/{@code check_prop} do.
 * A value that fails is refused with pve-common's own message, so it can be shown as Proxmox's words.
 */
public final class PropertyFormat {
  /** pve-common's {@code $CONFIGID_RE}, used by the {@code pve-configid} format. */
  private static final Pattern CONFIG_ID = Pattern.compile("[a-z][a-z0-9_-]+", Pattern.CASE_INSENSITIVE);

  public enum Type { STRING, BOOLEAN }

  /** One key of a format: its type, what its value must meet, and whether a bare value belongs to it. */
  public record Property(Type type, Optional<Pattern> pattern, List<String> enumeration, boolean configId,
      boolean defaultKey, Optional<String> defaultValue) {

    public static Property string() {
      return new Property(Type.STRING, Optional.empty(), List.of(), false, false, Optional.empty());
    }

    /** A boolean with its documented default, normalised to {@code 1}/{@code 0}. */
    public static Property bool(boolean defaultValue) {
      return new Property(Type.BOOLEAN, Optional.empty(), List.of(), false, false, Optional.of(defaultValue ? "1" : "0"));
    }

    /** The value must match the whole of {@code regex}, as check_prop's {@code m/^$pattern$/}. */
    public Property matching(String regex) {
      return new Property(type, Optional.of(Pattern.compile("(?:" + regex + ")")), enumeration, configId, defaultKey, defaultValue);
    }

    public Property oneOf(String... values) {
      return new Property(type, pattern, List.of(values), configId, defaultKey, defaultValue);
    }

    /** pve-common's {@code pve-configid} format ({@code pve_verify_configid}). */
    public Property configIdFormat() {
      return new Property(type, pattern, enumeration, true, defaultKey, defaultValue);
    }

    /** The key a part without {@code =} is given to ({@code default_key => 1}). */
    public Property asDefaultKey() {
      return new Property(type, pattern, enumeration, configId, true, defaultValue);
    }

    public Property defaultingTo(String value) {
      return new Property(type, pattern, enumeration, configId, defaultKey, Optional.of(value));
    }
  }

  /** A property string that upstream refuses; the message is pve-common's. */
  public static final class Invalid extends IllegalArgumentException {
    Invalid(String message) {
      super(message);
    }
  }

  private final Map<String, Property> properties;

  public PropertyFormat(Map<String, Property> properties) {
    this.properties = Map.copyOf(properties);
  }

  public Optional<Property> property(String key) {
    return Optional.ofNullable(properties.get(key));
  }

  /** The keys given, in the order given; booleans as {@code 1}/{@code 0}. */
  public Map<String, String> parse(String data) {
    Map<String, String> values = split(data);
    Map<String, String> errors = new TreeMap<>(); // Perl reports them in hash order; sorted here
    values.forEach((key, value) -> check(properties.get(key), value).ifPresent(error -> errors.put(key, error)));
    if (!errors.isEmpty()) {
      StringBuilder message = new StringBuilder("format error");
      errors.forEach((key, error) -> message.append('\n').append(key).append(": ").append(error));
      throw new Invalid(message.toString());
    }
    return values;
  }

  /** parse_property_string's loop over the comma-separated parts. */
  private Map<String, String> split(String data) {
    Map<String, String> values = new LinkedHashMap<>();
    String defaultKey = null;
    for (String part : data.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq > 0 && eq < part.length() - 1) {
        String key = part.substring(0, eq);
        if (values.containsKey(key)) {
          throw new Invalid("duplicate key in comma-separated list property: " + key);
        }
        Property property = properties.get(key);
        if (property == null) {
          throw new Invalid("invalid key in comma-separated list property: " + key);
        }
        values.put(key, normalised(property, part.substring(eq + 1)));
      } else if (eq < 0) {
        defaultKey = bareValue(values, defaultKey, part);
      } else {
        throw new Invalid("missing key in comma-separated list property");
      }
    }
    return values;
  }

  /** A part without {@code =}: the default key's value, once. Returns the default key. */
  private String bareValue(Map<String, String> values, String defaultKeySeen, String part) {
    if (defaultKeySeen != null) {
      throw new Invalid("duplicate key in comma-separated list property: " + defaultKeySeen);
    }
    Map.Entry<String, Property> target = properties.entrySet().stream().filter(e -> e.getValue().defaultKey())
        .findFirst().orElseThrow(() -> new Invalid("value without key, but schema does not define a default key"));
    String earlier = values.get(target.getKey());
    // upstream tests Perl truth (!$res->{$default_key}): an earlier "0" is overwritten, not a duplicate
    if (earlier != null && !earlier.equals("0")) {
      throw new Invalid("duplicate key in comma-separated list property: " + target.getKey());
    }
    values.put(target.getKey(), normalised(target.getValue(), part));
    return target.getKey();
  }

  private static String normalised(Property property, String value) {
    return property.type() == Type.BOOLEAN ? parseBoolean(value).orElse(value) : value;
  }

  /** pve-common's {@code parse_boolean}. */
  static Optional<String> parseBoolean(String value) {
    return value.matches("(?i)1|on|yes|true") ? Optional.of("1")
        : value.matches("(?i)0|off|no|false") ? Optional.of("0") : Optional.empty();
  }

  /** check_prop for a scalar: type, then format, then pattern, then enumeration; the first error. */
  private static Optional<String> check(Property property, String value) {
    if (property.type() == Type.BOOLEAN && !value.equals("1") && !value.equals("0")) {
      return Optional.of("type check ('boolean') failed - got '" + value + "'");
    }
    if (property.configId() && !CONFIG_ID.matcher(value).matches()) {
      return Optional.of("invalid format - invalid configuration ID '" + value + "'");
    }
    if (property.pattern().isPresent() && !property.pattern().get().matcher(value).matches()) {
      return Optional.of("value does not match the regex pattern");
    }
    if (!property.enumeration().isEmpty() && !property.enumeration().contains(value)) {
      return Optional.of("value '" + value + "' does not have a value in the enumeration '"
          + String.join(", ", property.enumeration()) + "'");
    }
    return Optional.empty();
  }
}
