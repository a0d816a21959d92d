package dev.guesthook.core.settings;

import dev.guesthook.id.DriverName;
import dev.guesthook.id.MacAddress;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import dev.guesthook.id.Uuid;
import dev.guesthook.yaml.Suggestions;
import java.util.List;
import java.util.regex.Pattern;

/** The types a hook can declare its settings with, the project's identifiers among them. */
final class Types {
  private Types() {}

  static final int MAX_STRING = 4096;
  static final int VLAN_MAX = 4094;

  static SettingType string(Pattern pattern) {
    String expected = pattern == null ? "a string" : "a string matching " + pattern.pattern();
    return new ScalarType(
        "string",
        expected,
        String.class,
        value -> {
          String text = (String) value;
          if (text.length() > MAX_STRING) {
            throw new IllegalArgumentException("longer than " + MAX_STRING + " characters");
          }
          if (pattern != null && !pattern.matcher(text).matches()) {
            throw new IllegalArgumentException(
                "expected " + expected + ", found '" + Printable.of(text) + "'");
          }
          return text;
        });
  }

  static SettingType integer(long min, long max) {
    String expected = "an integer" + range(min, max);
    String shortName =
        "integer"
            + (min == Long.MIN_VALUE && max == Long.MAX_VALUE
                ? ""
                : " " + bound(min) + ".." + bound(max));
    return new ScalarType(
        shortName,
        expected,
        Long.class,
        value -> {
          long number = (Long) value;
          if (number < min || number > max) {
            throw new IllegalArgumentException("expected " + expected + ", found " + number);
          }
          return number <= Integer.MAX_VALUE && number >= Integer.MIN_VALUE
              ? (Object) (int) number
              : (Object) number;
        });
  }

  private static String range(long min, long max) {
    if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
      return "";
    }
    if (max == Long.MAX_VALUE) {
      return " of at least " + min;
    }
    return min == Long.MIN_VALUE ? " of at most " + max : " from " + min + " to " + max;
  }

  private static String bound(long value) {
    return value == Long.MIN_VALUE || value == Long.MAX_VALUE ? "" : Long.toString(value);
  }

  static SettingType bool() {
    return new ScalarType("boolean", "true or false", Boolean.class, value -> value);
  }

  static SettingType enumeration(List<String> values) {
    String expected = "one of " + String.join(", ", values);
    return new ScalarType(
        "one of " + String.join("|", values),
        expected,
        String.class,
        value -> {
          if (!values.contains(value)) {
            throw new IllegalArgumentException(
                "expected "
                    + expected
                    + ", found '"
                    + Printable.of((String) value)
                    + "'"
                    + Suggestions.didYouMean((String) value, values));
          }
          return value;
        });
  }

  static SettingType vlan() {
    return new ScalarType(
        "vlan",
        "a VLAN id from 0 (none) to " + VLAN_MAX,
        Long.class,
        value -> {
          long id = (Long) value;
          if (id < 0 || id > VLAN_MAX) {
            throw new IllegalArgumentException(
                "expected a VLAN id from 0 (none) to " + VLAN_MAX + ", found " + id);
          }
          return (int) id;
        });
  }

  static SettingType pci() {
    return new ScalarType(
        "pci",
        "a PCI address like 0000:01:00.0",
        String.class,
        value -> PciAddress.parse((String) value));
  }

  static SettingType mac() {
    return new ScalarType(
        "mac",
        "a MAC address like 52:54:00:12:34:56",
        String.class,
        value -> MacAddress.parse((String) value));
  }

  static SettingType driver() {
    return new ScalarType(
        "driver",
        "a driver name like vfio-pci",
        String.class,
        value -> new DriverName((String) value));
  }

  static SettingType mdevType() {
    return new ScalarType(
        "mdev-type",
        "an mdev type like i915-GVTg_V5_4",
        String.class,
        value -> new MdevType((String) value));
  }

  static SettingType uuid() {
    return new ScalarType(
        "uuid",
        "a UUID like 00000000-0000-0000-0000-000000000101",
        String.class,
        value -> Uuid.parse((String) value));
  }

  /** A type by the name a list's {@code of:} option gives. */
  static SettingType named(String name) {
    return switch (name) {
      case "string" -> string(null);
      case "integer" -> integer(Long.MIN_VALUE, Long.MAX_VALUE);
      case "bool", "boolean" -> bool();
      case "vlan" -> vlan();
      case "pci" -> pci();
      case "mac" -> mac();
      case "driver" -> driver();
      case "mdevType", "mdev-type" -> mdevType();
      case "uuid" -> uuid();
      default ->
          throw new IllegalArgumentException(
              "unknown setting type '"
                  + name
                  + "'; one of string, integer,"
                  + " bool, vlan, pci, mac, driver, mdevType, uuid");
    };
  }
}
