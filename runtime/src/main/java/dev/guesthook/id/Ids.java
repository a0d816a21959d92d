package dev.guesthook.id;

import java.util.regex.Pattern;

/**
 * The one check every identifier goes through before it can become a path segment or an argument.
 */
final class Ids {
  private Ids() {}

  static String require(Pattern form, String value, String what, String expected) {
    if (value == null
        || !form.matcher(value).matches()
        || value.equals(".")
        || value.equals("..")) {
      throw new IllegalArgumentException(
          "invalid " + what + " '" + Printable.of(value) + "': expected " + expected);
    }
    return value;
  }
}
