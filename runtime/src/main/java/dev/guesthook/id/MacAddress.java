package dev.guesthook.id;

import java.util.Locale;
import java.util.regex.Pattern;

/** A unicast Ethernet address for a VF, lower case. {@code 00:00:00:00:00:00} means "none set". */
public record MacAddress(String value) {
  private static final Pattern FORM = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
  public static final MacAddress NONE = new MacAddress("00:00:00:00:00:00");

  public MacAddress {
    Ids.require(FORM, value, "MAC address", "six hex pairs like 52:54:00:12:34:56");
    if ((Integer.parseInt(value.substring(0, 2), 16) & 1) != 0) {
      throw new IllegalArgumentException(
          "invalid MAC address '" + value + "': a multicast address cannot be a VF's address");
    }
  }

  public static MacAddress parse(String text) {
    return new MacAddress(text == null ? null : text.toLowerCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return value;
  }
}
