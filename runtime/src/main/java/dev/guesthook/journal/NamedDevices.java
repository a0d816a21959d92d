package dev.guesthook.journal;

import dev.guesthook.id.PciAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PCI addresses bytes of a journal name, however they are spelled: plainly or with JSON's
 * backslash-u escapes (a colon as backslash, u003a). What a bad line names is held for its guest,
 * so reading it more loosely than JSON can only hold more, never release. Bytes are taken as
 * ISO-8859-1 (one char per byte), so a line that is not UTF-8 still shows its ASCII.
 */
final class NamedDevices {
  private static final Pattern PCI =
      Pattern.compile("(?i)\\b(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-1][0-9a-f]\\.[0-7]\\b");
  private static final Pattern ESCAPE = Pattern.compile("\\\\u([0-9a-fA-F]{4})");

  private NamedDevices() {}

  /**
   * Adds to {@code out} what {@code bytes[start, stop)} name, and says whether they could name
   * anything at all.
   */
  static void addTo(Set<PciAddress> out, byte[] bytes, int start, int stop) {
    if (!mayName(bytes, start, stop)) {
      return; // most of a long run of filler: no colon, no escape, no address
    }
    String text = new String(bytes, start, stop - start, StandardCharsets.ISO_8859_1);
    addMatches(out, text);
    addMatches(out, unescaped(text));
  }

  private static boolean mayName(byte[] bytes, int start, int stop) {
    for (int i = start; i < stop; i++) {
      if (bytes[i] == ':' || bytes[i] == '\\') {
        return true;
      }
    }
    return false;
  }

  private static String unescaped(String text) {
    return ESCAPE
        .matcher(text)
        .replaceAll(
            escape ->
                Matcher.quoteReplacement(
                    String.valueOf((char) Integer.parseInt(escape.group(1), 16))));
  }

  private static void addMatches(Set<PciAddress> out, String text) {
    Matcher matcher = PCI.matcher(text);
    while (matcher.find()) {
      try {
        out.add(PciAddress.parse(matcher.group()));
      } catch (IllegalArgumentException notAnAddress) {
        // digits that only look like one
      }
    }
  }
}
