package dev.guesthook.id;

/**
 * Renders untrusted text safely inside one-line messages: control and invisible characters become
 * escapes.
 */
public final class Printable {
  private static final int MAX_LENGTH = 80;

  private Printable() {}

  public static String of(String text) {
    return escaped(text, MAX_LENGTH);
  }

  /**
   * The whole text with its control and invisible characters as escapes, uncut: for text another
   * host wrote that is shown as a value (its length bounded where it was read).
   */
  public static String escaped(String text) {
    return escaped(text, Integer.MAX_VALUE);
  }

  private static String escaped(String text, int maxLength) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < text.length() && out.length() < maxLength; i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        out.append("\\n");
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else if (invisible(c)) {
        out.append(String.format("\\u%04x", (int) c)); // a zero-width space would hide in a name
      } else {
        out.append(c);
      }
    }
    if (out.length() >= maxLength && text.length() > maxLength) {
      out.append("...");
    }
    return out.toString();
  }

  /** Characters that print as nothing or move the text: controls, format characters, separators. */
  private static boolean invisible(char c) {
    int type = Character.getType(c);
    return Character.isISOControl(c)
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }
}
