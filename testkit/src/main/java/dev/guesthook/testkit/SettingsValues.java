package dev.guesthook.testkit;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * The values {@link Lifecycle#settings} accepts: what a guest's settings file can say plainly, so
 * the hook meets them with the types it would meet on a node. Anything else (a date, a decimal, a
 * file) would reach the file as something the test never wrote, or not at all.
 */
final class SettingsValues {
  private static final String ACCEPTED =
      "give strings, booleans, integers, doubles, and lists and maps (with string keys) of them";

  private SettingsValues() {}

  /**
   * @throws IllegalArgumentException naming the hook, the key path ({@code hook.key[0].inner}) and
   *     the value's type or problem
   */
  static void check(String hook, Map<?, ?> values) {
    checkMap(hook, hook, values);
  }

  private static void check(String hook, String path, Object value) {
    if (value instanceof String text) {
      checkText(hook, path, text);
    } else if (value instanceof Map<?, ?> map) {
      checkMap(hook, path, map);
    } else if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        check(hook, path + "[" + i + "]", list.get(i));
      }
    } else if (!isScalar(value)) {
      refuse(hook, path, value == null ? "null" : "a " + value.getClass().getName());
    }
  }

  private static void checkMap(String hook, String path, Map<?, ?> map) {
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        refuse(
            hook,
            path,
            "a map key of type "
                + (entry.getKey() == null ? "null" : entry.getKey().getClass().getName()));
        return;
      }
      checkText(hook, path + "." + key, key);
      check(hook, path + "." + key, entry.getValue());
    }
  }

  private static boolean isScalar(Object value) {
    return value instanceof Boolean
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger
        || value instanceof Double
        || value instanceof Float;
  }

  /** YAML cannot hold a NUL or half a surrogate pair: the file could not be written or read. */
  private static void checkText(String hook, String path, String text) {
    if (text.indexOf('\0') >= 0) {
      refuse(hook, path, "a string with a NUL (\\0), which a settings file cannot hold");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean paired =
          Character.isHighSurrogate(c)
              ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(++i))
              : !Character.isLowSurrogate(c);
      if (!paired) {
        refuse(hook, path, "a string with a lone surrogate (half a character)");
      }
    }
  }

  private static void refuse(String hook, String path, String problem) {
    throw new IllegalArgumentException(
        "settings of hook '" + hook + "': " + path + ": " + problem + "; " + ACCEPTED);
  }
}
