package dev.guesthook.page;

/** Text made safe for HTML: in an element or a double-quoted attribute it stays text. */
final class Html {
  private Html() {}

  static String text(String raw) {
    StringBuilder out = new StringBuilder(raw.length() + 16);
    raw.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                  // Control characters other than tab and newline have no business on the page.
                  if (c < 0x20 && c != '\t' && c != '\n' || c == 0x7f) {
                    out.append('\uFFFD');
                  } else {
                    out.appendCodePoint(c);
                  }
                }
              }
            });
    return out.toString();
  }
}
