package dev.guesthook.pve;

import dev.guesthook.pve.schema.ProxmoxText;

/** A Proxmox file that cannot be used; the message names the file and, where known, the line. */
public class PveFileException extends Exception {
  public PveFileException(String message) {
    super(message);
  }

  /** Refuses a text larger than pmxcfs holds; {@code what} is "config" or "file" in the message. */
  static void requireSize(String origin, String text, String what) throws PveFileException {
    if (!ProxmoxText.fitsPmxcfs(text)) {
      throw new PveFileException(
          origin
              + ": larger than "
              + ProxmoxText.MAX_BYTES
              + " bytes, not a "
              + what
              + " Proxmox wrote");
    }
  }
}
