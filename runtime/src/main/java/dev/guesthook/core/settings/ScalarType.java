package dev.guesthook.core.settings;

import dev.guesthook.yaml.YamlNode;
import java.util.Locale;

/**
 * A setting written as one value. The YAML node's own type decides what it is (a quoted "4" is a
 * string, {@code off} is a string): nothing is coerced, so a value means what it looks like.
 */
final class ScalarType implements SettingType {
  /**
   * Turns an accepted value into the hook's value; throws IllegalArgumentException with the reason.
   */
  interface Parser {
    Object parse(Object value);
  }

  private final String shortName;
  private final String expected;
  private final Class<?> yamlType;
  private final Parser parser;

  ScalarType(String shortName, String expected, Class<?> yamlType, Parser parser) {
    this.shortName = shortName;
    this.expected = expected;
    this.yamlType = yamlType;
    this.parser = parser;
  }

  @Override
  public Object convert(YamlNode node, String key) throws SettingProblem {
    if (!(node instanceof YamlNode.Scalar scalar)
        || scalar.value() == null
        || !accepts(scalar.value())) {
      throw new SettingProblem(
          node.mark(), key, "expected " + expected + ", found " + node.describe() + hint(node));
    }
    try {
      return parser.parse(
          yamlType == String.class ? String.valueOf(scalar.value()) : scalar.value());
    } catch (IllegalArgumentException e) {
      throw new SettingProblem(node.mark(), key, e.getMessage());
    }
  }

  /**
   * Text types take a bare number too (a mapping named 1234, an NVIDIA profile 1157): its text is
   * the value.
   */
  private boolean accepts(Object value) {
    return yamlType.isInstance(value) || yamlType == String.class && value instanceof Long;
  }

  /** The fix for the mistakes people make: quoting a boolean or a number, yes/no/on/off. */
  private String hint(YamlNode node) {
    if (!(node instanceof YamlNode.Scalar scalar) || !(scalar.value() instanceof String text)) {
      return "";
    }
    if (yamlType == Boolean.class && text.matches("(?i)true|false")) {
      return "; fix: write " + text.toLowerCase(Locale.ROOT) + " without quotes";
    }
    if (yamlType == Boolean.class) {
      return "; fix: write true or false";
    }
    if (yamlType == Long.class && scalar.quoted() && text.matches("[-+]?[0-9]+")) {
      return "; fix: write " + text + " without quotes";
    }
    return "";
  }

  @Override
  public String expected() {
    return expected;
  }

  @Override
  public String shortName() {
    return shortName;
  }
}
