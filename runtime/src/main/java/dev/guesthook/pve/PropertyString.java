package dev.guesthook.pve;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Proxmox's property strings: {@code key=value,key=value}, where the first part may leave out its
 * key (the default key: {@code file} for drives, {@code type} for machine).
 */
final class PropertyString {
  private PropertyString() {}

  static Map<String, String> parse(String text, String defaultKey) {
    Map<String, String> out = new LinkedHashMap<>();
    if (text.isEmpty()) {
      return out;
    }
    String[] parts = text.split(",", -1);
    for (int i = 0; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      if (eq < 0 && i == 0) {
        out.put(defaultKey, parts[i]);
      } else if (eq < 0) {
        throw new IllegalArgumentException("'" + dev.guesthook.id.Printable.of(parts[i]) + "' is not key=value");
      } else {
        out.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
      }
    }
    return out;
  }
}
