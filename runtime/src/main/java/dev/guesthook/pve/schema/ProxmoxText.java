package dev.guesthook.pve.schema;

/**
 * What every file in /etc/pve must be before a parser reads its lines: pmxcfs-sized, line by line
 * printable.
 */
public final class ProxmoxText {
  /**
   * pmxcfs holds files up to 1 MiB (MEMDB_MAX_FILE_SIZE), so anything larger is not a file Proxmox
   * wrote.
   */
  public static final int MAX_BYTES = 1024 * 1024;

  private ProxmoxText() {}

  /**
   * Whether a text is no larger than pmxcfs holds (the parsers refuse a larger one, as not
   * Proxmox's).
   */
  public static boolean fitsPmxcfs(String text) {
    return text.length() <= MAX_BYTES;
  }

  /** Tabs are fine; any other control character means a line no Proxmox tool wrote. */
  public static boolean hasControlCharacter(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return true;
      }
    }
    return false;
  }

  /**
   * Perl's {@code \s} on the bytes Proxmox reads from /etc/pve: space, tab, line feed, vertical
   * tab, form feed, carriage return. Java's {@code strip()} and {@code isBlank()} also take Unicode
   * spaces, which Perl keeps as part of a value.
   */
  static boolean isPerlSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
  }

  /** The index of the first character at or after {@code from} that is not Perl's {@code \s}. */
  static int skipPerlSpace(String text, int from) {
    int i = from;
    while (i < text.length() && isPerlSpace(text.charAt(i))) {
      i++;
    }
    return i;
  }

  /** {@code s/\s+$//}. */
  public static String stripTrailingPerlSpace(String text) {
    int end = text.length();
    while (end > 0 && isPerlSpace(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }

  /** {@code s/^\s+//} and {@code s/\s+$//}. */
  public static String stripPerlSpace(String text) {
    return stripTrailingPerlSpace(text.substring(skipPerlSpace(text, 0)));
  }

  /** {@code m/^\s*$/}. */
  public static boolean isPerlBlank(String text) {
    return skipPerlSpace(text, 0) == text.length();
  }
}
