package dev.guesthook.pve;

import dev.guesthook.event.Printable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the {@code key: value} format of {@code /etc/pve/qemu-server/<vmid>.conf} and lxc configs. */
public final class VmConfigParser {
  /** pmxcfs refuses files above 1 MiB, so anything larger is not a config Proxmox wrote. */
  public static final int MAX_BYTES = 1024 * 1024;

  private static final Pattern KEY_VALUE = Pattern.compile("^([a-z][a-z0-9_\\-]*):\\s*(.*?)\\s*$");
  private static final Pattern SECTION = Pattern.compile("^\\[([^\\]\\s]+)\\]\\s*$");

  private VmConfigParser() {}

  public static VmConfig parse(String origin, String text) throws PveFileException {
    if (text.length() > MAX_BYTES) {
      throw new PveFileException(origin + ": larger than " + MAX_BYTES + " bytes, not a Proxmox config");
    }
    Map<String, String> current = new LinkedHashMap<>();
    Map<String, Map<String, String>> sections = new LinkedHashMap<>();
    Map<String, String> target = current;
    StringBuilder description = new StringBuilder();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int lineNo = i + 1;
      if (line.isBlank()) {
        continue;
      }
      checkPrintable(origin, lineNo, line);
      if (line.startsWith("#")) {
        if (target == current) {
          description.append(description.length() == 0 ? "" : "\n").append(line.substring(1));
        }
        continue;
      }
      Matcher section = SECTION.matcher(line);
      if (section.matches()) {
        target = new LinkedHashMap<>();
        sections.put(section.group(1), target);
        continue;
      }
      Matcher kv = KEY_VALUE.matcher(line);
      if (!kv.matches()) {
        throw new PveFileException(
            origin + ":" + lineNo + ": not a 'key: value' line: '" + Printable.of(line) + "'");
      }
      target.put(kv.group(1), kv.group(2));
    }
    return new VmConfig(origin, text, current, description.toString(), sections);
  }

  private static void checkPrintable(String origin, int lineNo, String line) throws PveFileException {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        throw new PveFileException(
            origin + ":" + lineNo + ": control character in '" + Printable.of(line) + "'");
      }
    }
  }
}
