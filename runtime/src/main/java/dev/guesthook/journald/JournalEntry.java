package dev.guesthook.journald;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One journal entry in journald's native protocol (systemd's "Native Journal Protocol"): a field
 * per line, {@code KEY=value\n}, or, for a value holding a newline, {@code KEY\n}, its length as a
 * 64-bit little-endian number, the value and {@code \n}. Values are text made safe to show: control
 * characters other than newline and tab become {@code \xNN} (journalctl shows a field holding them
 * as "blob data", and a NUL would cut it in other readers), and a value is cut at {@link
 * #MAX_VALUE_CHARS} so an entry always fits in one datagram.
 */
public final class JournalEntry {
  /**
   * Well under a Unix datagram's limit (the socket's send buffer, 208 KiB by default) even as
   * 3-byte UTF-8.
   */
  static final int MAX_VALUE_CHARS = 16 * 1024;

  private final Map<String, String> fields = new LinkedHashMap<>();

  private JournalEntry() {}

  /**
   * An entry with its MESSAGE and PRIORITY; SYSLOG_IDENTIFIER is guesthook, so `journalctl -t
   * guesthook` finds it.
   */
  public static JournalEntry message(Priority priority, String message) {
    return new JournalEntry()
        .with("MESSAGE", message)
        .with("PRIORITY", Integer.toString(priority.value()))
        .with("SYSLOG_IDENTIFIER", "guesthook");
  }

  /**
   * Adds a field. Names are journald's: capitals, digits and underscores, not starting with a digit
   * or an underscore (those are the fields journald itself vouches for), at most 64 characters.
   */
  public JournalEntry with(String name, String value) {
    if (!name.matches("[A-Z][A-Z0-9_]{0,63}")) {
      throw new IllegalArgumentException("not a journal field name: '" + name + "'");
    }
    fields.put(name, shown(value));
    return this;
  }

  public Map<String, String> fields() {
    return Map.copyOf(fields);
  }

  public byte[] encode() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    fields.forEach(
        (name, value) -> {
          byte[] key = name.getBytes(StandardCharsets.US_ASCII);
          byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
          out.writeBytes(key);
          if (value.indexOf('\n') < 0) {
            out.write('=');
            out.writeBytes(bytes);
          } else {
            out.write('\n');
            out.writeBytes(
                ByteBuffer.allocate(Long.BYTES)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(bytes.length)
                    .array());
            out.writeBytes(bytes);
          }
          out.write('\n');
        });
    return out.toByteArray();
  }

  private static String shown(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), MAX_VALUE_CHARS));
    int next = 0;
    for (; next < value.length() && out.length() < MAX_VALUE_CHARS; next++) {
      char c = value.charAt(next);
      if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (next < value.length()) {
      out.append(" [cut at ").append(MAX_VALUE_CHARS).append(" characters]");
    }
    return out.toString();
  }
}
