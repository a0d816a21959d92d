package dev.guesthook.pve;

/** What every file in /etc/pve must be before a parser reads its lines: pmxcfs-sized, line by line printable. */
final class ProxmoxText {
  /** pmxcfs holds files up to 1 MiB (MEMDB_MAX_FILE_SIZE), so anything larger is not a file Proxmox wrote. */
  static final int MAX_BYTES = 1024 * 1024;

  private ProxmoxText() {}

  /** Refuses a text larger than pmxcfs holds; {@code what} is "config" or "file" in the message. */
  static void requireSize(String origin, String text, String what) throws PveFileException {
    if (text.length() > MAX_BYTES) {
      throw new PveFileException(origin + ": larger than " + MAX_BYTES + " bytes, not a " + what + " Proxmox wrote");
    }
  }

  /** Tabs are fine; any other control character means a line no Proxmox tool wrote. */
  static boolean hasControlCharacter(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
