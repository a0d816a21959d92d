package dev.guesthook.pve.schema;

import dev.guesthook.id.Printable;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A property-string format written as data, as upstream writes its formats ({@code $hostpci_fmt} in
 * qemu-server), and read as pve-common's {@code PVE::JSONSchema::parse_property_string} reads one:
 * split on {@code ,}, a part without {@code =} goes to the default key, booleans normalised by
 * {@code parse_boolean}, then every value checked as {@code check_object}/{@code check_prop} do. A
 * value that fails is refused with pve-common's own message, so it can be shown as Proxmox's words.
 * {@link Property#refusal} is guesthook's one {@code check_prop}: storage.cfg's schema uses it too.
 */
public final class PropertyFormat {
  /** JSONSchema's {@code is_integer}. */
  private static final Pattern IS_INTEGER = Pattern.compile("[+-]?\\d+");

  /** JSONSchema's {@code is_number}. */
  private static final Pattern IS_NUMBER =
      Pattern.compile("[+-]?(\\d+\\.\\d+|\\d+\\.|\\.\\d+|\\d+)([eE][+-]?\\d+)?");

  /** JSONSchema's scalar types, as check_type checks a string. */
  public enum Type {
    STRING,
    BOOLEAN,
    INTEGER,
    NUMBER;

    /** check_type: a boolean must already be {@code 1} or {@code 0} (parse_boolean ran before). */
    boolean admits(String value) {
      return switch (this) {
        case STRING -> true;
        case BOOLEAN -> value.equals("1") || value.equals("0");
        case INTEGER -> IS_INTEGER.matcher(value).matches();
        case NUMBER -> IS_NUMBER.matcher(value).matches();
      };
    }

    public String schemaName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A registered pve-common/pve-storage format ({@code format => 'name'}): its verifier's {@code
   * die} message for a value it refuses, empty when it takes it.
   */
  public interface NamedFormat {
    Optional<String> refusal(String value);
  }

  private static final Pattern ABSOLUTE_PATH = Pattern.compile("^/[^;()]");

  /** pve-common's {@code pve-configid} ({@code pve_verify_configid}, {@code $CONFIGID_RE}). */
  public static final NamedFormat CONFIG_ID =
      matchingFormat(
          Pattern.compile("[a-z][a-z0-9_-]+", Pattern.CASE_INSENSITIVE),
          "invalid configuration ID '%s'");

  /**
   * pve-storage's {@code pve-storage-path} ({@code verify_path}): unanchored at the end, as
   * upstream.
   */
  public static final NamedFormat STORAGE_PATH =
      value ->
          ABSOLUTE_PATH.matcher(value).find()
              ? Optional.empty()
              : Optional.of("value does not look like a valid absolute path");

  /**
   * pve-storage's {@code pve-volume-id} ({@code Plugin::parse_volume_id}): {@code storage:name}.
   */
  public static final NamedFormat VOLUME_ID =
      value ->
          StorageId.VOLUME.matcher(value).matches()
              ? Optional.empty()
              : Optional.of("unable to parse volume ID '" + Printable.of(value) + "'");

  /** pve-common's {@code disk-size} ({@code pve_verify_disk_size}, {@code parse_size}'s regex). */
  public static final NamedFormat DISK_SIZE =
      matchingFormat(
          Pattern.compile("\\d+(\\.\\d+)?([KMGT](iB)?)?"),
          "value does not look like a valid disk size: %s");

  /** pve-common's {@code urlencoded} ({@code pve_verify_urlencoded}); the empty string passes. */
  public static final NamedFormat URLENCODED =
      matchingFormat(Pattern.compile("[-%a-zA-Z0-9_.!~*'()]*"), "invalid urlencoded string: %s");

  /** pve-common's {@code pve-node} ({@code pve_verify_node_name}). */
  public static final NamedFormat NODE =
      matchingFormat(
          Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?"),
          "value does not look like a valid node name");

  /**
   * check_format's {@code NAME-list}: every item of split_list meets {@code item}; an empty list is
   * fine.
   */
  public static NamedFormat listOf(NamedFormat item) {
    return value ->
        splitList(value).stream().map(item::refusal).flatMap(Optional::stream).findFirst();
  }

  /**
   * pve-common's {@code PVE::ParseUtils::split_list}: items separated by {@code ,}, {@code ;} or
   * blanks.
   */
  public static List<String> splitList(String text) {
    return Arrays.stream(text.split("[,;\\s]+")).filter(item -> !item.isEmpty()).toList();
  }

  /** A format whose verifier is one whole-value regex and one message with the value in it. */
  static NamedFormat matchingFormat(Pattern pattern, String message) {
    return value ->
        pattern.matcher(value).matches()
            ? Optional.empty()
            : Optional.of(message.formatted(Printable.of(value)));
  }

  /**
   * One key of a schema: its type, what its value must meet (JSONSchema's {@code format}, {@code
   * pattern}, {@code maxLength}, {@code minimum}/{@code maximum}, {@code enum}), and whether a bare
   * value belongs to it.
   */
  public record Property(
      Type type,
      Optional<NamedFormat> format,
      Optional<Predicate<String>> pattern,
      OptionalInt maxLength,
      Optional<BigDecimal> minimum,
      Optional<BigDecimal> maximum,
      List<String> enumeration,
      boolean defaultKey,
      Optional<String> defaultValue,
      boolean optional) {

    public static Property of(Type type) {
      return new Property(
          type,
          Optional.empty(),
          Optional.empty(),
          OptionalInt.empty(),
          Optional.empty(),
          Optional.empty(),
          List.of(),
          false,
          Optional.empty(),
          true);
    }

    public static Property string() {
      return of(Type.STRING);
    }

    /** A boolean with its documented default, normalised to {@code 1}/{@code 0}. */
    public static Property bool(boolean defaultValue) {
      return of(Type.BOOLEAN).defaultingTo(defaultValue ? "1" : "0");
    }

    /** An integer within {@code minimum} and {@code maximum} (null: unbounded). */
    public static Property integer(Long minimum, Long maximum) {
      return of(Type.INTEGER).between(minimum, maximum);
    }

    /** JSONSchema's {@code minimum} and {@code maximum}; null leaves that side open. */
    public Property between(Long min, Long max) {
      return new Property(
          type,
          format,
          pattern,
          maxLength,
          Optional.ofNullable(min).map(BigDecimal::valueOf),
          Optional.ofNullable(max).map(BigDecimal::valueOf),
          enumeration,
          defaultKey,
          defaultValue,
          optional);
    }

    /**
     * The value must meet {@code regex} as check_prop's {@code m/^$pattern$/} tests it: anchored
     * without a group, so a top-level {@code a|b} means "starts with a or ends with b"; Perl's
     * {@code $} also matches before a final newline, as Java's does with UNIX_LINES (which also
     * gives {@code .} Perl's meaning). Checked with {@code find}, as Perl's match is a search.
     */
    public Property matching(String regex) {
      Pattern anchored = Pattern.compile("^" + regex + "$", Pattern.UNIX_LINES);
      return matching(value -> anchored.matcher(value).find());
    }

    /**
     * Upstream's {@code ITEM(SEP ITEM)*}, checked item by item: Java's regex engine recurses once
     * per repetition of a group, so a long list (a 5 KB hostpci line) overflows its stack where
     * Perl's does not. {@code separatorsInItem} is how many separators one item can hold itself
     * (Mapping::PCI's $PCI_RE, whose dot is any character, can hold one): every split the regex
     * could make is tried.
     */
    public Property matchingList(String itemRegex, char separator, int separatorsInItem) {
      Pattern item = Pattern.compile(itemRegex, Pattern.UNIX_LINES);
      return matching(value -> isList(value, item, separator, separatorsInItem));
    }

    private Property matching(Predicate<String> test) {
      return new Property(
          type,
          format,
          Optional.of(test),
          maxLength,
          minimum,
          maximum,
          enumeration,
          defaultKey,
          defaultValue,
          optional);
    }

    /**
     * Left to right over the places an item can start; each tries the next few separators as its
     * end.
     */
    private static boolean isList(
        String value, Pattern item, char separator, int separatorsInItem) {
      boolean[] itemStartsAt = new boolean[value.length() + 1];
      itemStartsAt[0] = true;
      for (int start = 0; start < itemStartsAt.length; start++) {
        int from = start;
        for (int k = 0;
            itemStartsAt[start] && k <= separatorsInItem && from <= value.length();
            k++) {
          int cut = value.indexOf(separator, from);
          int end = cut < 0 ? value.length() : cut;
          if (item.matcher(value).region(start, end).matches()) {
            if (end == value.length()) {
              return true;
            }
            itemStartsAt[end + 1] = true;
          }
          from = cut < 0 ? value.length() + 1 : cut + 1;
        }
      }
      return false;
    }

    public Property oneOf(String... values) {
      return new Property(
          type,
          format,
          pattern,
          maxLength,
          minimum,
          maximum,
          List.of(values),
          defaultKey,
          defaultValue,
          optional);
    }

    /** pve-common's {@code pve-configid} format. */
    public Property configIdFormat() {
      return inFormat(CONFIG_ID);
    }

    public Property inFormat(NamedFormat named) {
      return new Property(
          type,
          Optional.of(named),
          pattern,
          maxLength,
          minimum,
          maximum,
          enumeration,
          defaultKey,
          defaultValue,
          optional);
    }

    public Property atMostCharacters(int length) {
      return new Property(
          type,
          format,
          pattern,
          OptionalInt.of(length),
          minimum,
          maximum,
          enumeration,
          defaultKey,
          defaultValue,
          optional);
    }

    /**
     * A key the value must have ({@code optional} left out upstream). Here keys are optional unless
     * said, because most keys of the formats guesthook reads are.
     */
    public Property required() {
      return new Property(
          type,
          format,
          pattern,
          maxLength,
          minimum,
          maximum,
          enumeration,
          defaultKey,
          defaultValue,
          false);
    }

    /** The key a part without {@code =} is given to ({@code default_key => 1}). */
    public Property asDefaultKey() {
      return new Property(
          type,
          format,
          pattern,
          maxLength,
          minimum,
          maximum,
          enumeration,
          true,
          defaultValue,
          optional);
    }

    public Property defaultingTo(String value) {
      return new Property(
          type,
          format,
          pattern,
          maxLength,
          minimum,
          maximum,
          enumeration,
          defaultKey,
          Optional.of(value),
          optional);
    }

    /**
     * pve-common's {@code check_prop} for a scalar, in its order and words: type, format, pattern,
     * maxLength, maximum, minimum, enumeration; the first error, empty when the value passes.
     */
    public Optional<String> refusal(String value) {
      if (!type.admits(value)) {
        return Optional.of(
            "type check ('" + type.schemaName() + "') failed - got '" + Printable.of(value) + "'");
      }
      Optional<String> formatError =
          format.flatMap(named -> named.refusal(value)).map(why -> "invalid format - " + why);
      if (formatError.isPresent()) {
        return formatError;
      }
      if (pattern.isPresent() && !pattern.get().test(value)) {
        return Optional.of("value does not match the regex pattern");
      }
      if (maxLength.isPresent() && value.length() > maxLength.getAsInt()) {
        return Optional.of("value may only be " + maxLength.getAsInt() + " characters long");
      }
      return boundsRefusal(value).or(() -> enumerationRefusal(value));
    }

    /** check_prop compares numbers only when the value is one (is_number). */
    private Optional<String> boundsRefusal(String value) {
      if (!Type.NUMBER.admits(value)) {
        return Optional.empty();
      }
      BigDecimal number = new BigDecimal(value);
      if (maximum.isPresent() && number.compareTo(maximum.get()) > 0) {
        return Optional.of("value must have a maximum value of " + maximum.get().toPlainString());
      }
      if (minimum.isPresent() && number.compareTo(minimum.get()) < 0) {
        return Optional.of("value must have a minimum value of " + minimum.get().toPlainString());
      }
      return Optional.empty();
    }

    private Optional<String> enumerationRefusal(String value) {
      if (enumeration.isEmpty() || enumeration.contains(value)) {
        return Optional.empty();
      }
      return Optional.of(
          "value '"
              + Printable.of(value)
              + "' does not have a value in the enumeration '"
              + String.join(", ", enumeration)
              + "'");
    }
  }

  /** A property string that upstream refuses; the message is pve-common's. */
  public static final class Invalid extends IllegalArgumentException {
    public Invalid(String message) {
      super(message);
    }
  }

  private final Map<String, Property> properties;

  /** Keys that stand for another ({@code alias => 'file'}): {@code volume=} is {@code file=}. */
  private final Map<String, String> aliases;

  public PropertyFormat(Map<String, Property> properties) {
    this(properties, Map.of());
  }

  public PropertyFormat(Map<String, Property> properties, Map<String, String> aliases) {
    this.properties = Map.copyOf(properties);
    this.aliases = Map.copyOf(aliases);
  }

  public Optional<Property> property(String key) {
    return Optional.ofNullable(properties.get(key));
  }

  /** The keys given, in the order given; booleans as {@code 1}/{@code 0}. */
  public Map<String, String> parse(String data) {
    Map<String, String> values = split(data);
    Map<String, String> errors = new TreeMap<>(); // Perl reports them in hash order; sorted here
    values.forEach(
        (key, value) ->
            properties.get(key).refusal(value).ifPresent(error -> errors.put(key, error)));
    properties.forEach(
        (key, property) -> { // check_object
          if (!property.optional() && !values.containsKey(key)) {
            errors.put(key, "property is missing and it is not optional");
          }
        });
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
        String key = canonicalKey(values, part.substring(0, eq));
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

  /**
   * parse_property_string's checks of a key before its value: given twice, then an alias resolved
   * to its target, which must not be given already (so {@code volume=a,volume=b} is refused as the
   * alias).
   */
  private String canonicalKey(Map<String, String> values, String key) {
    if (values.containsKey(key)) {
      throw new Invalid("duplicate key in comma-separated list property: " + key);
    }
    String target = aliases.get(key);
    if (target == null) {
      return key;
    }
    if (values.containsKey(target)) {
      throw new Invalid("key '" + target + "' is already defined (via alias)");
    }
    return target;
  }

  /** A part without {@code =}: the default key's value, once. Returns the default key. */
  private String bareValue(Map<String, String> values, String defaultKeySeen, String part) {
    if (defaultKeySeen != null) {
      throw new Invalid("duplicate key in comma-separated list property: " + defaultKeySeen);
    }
    Map.Entry<String, Property> target =
        properties.entrySet().stream()
            .filter(e -> e.getValue().defaultKey())
            .findFirst()
            .orElseThrow(
                () -> new Invalid("value without key, but schema does not define a default key"));
    String earlier = values.get(target.getKey());
    // upstream tests Perl truth (!$res->{$default_key}): an earlier "0" is overwritten, not a
    // duplicate
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
  public static Optional<String> parseBoolean(String value) {
    return value.matches("(?i)1|on|yes|true")
        ? Optional.of("1")
        : value.matches("(?i)0|off|no|false") ? Optional.of("0") : Optional.empty();
  }
}
