package dev.guesthook.pve;

/** A Proxmox file that cannot be used; the message names the file and, where known, the line. */
public class PveFileException extends Exception {
  public PveFileException(String message) {
    super(message);
  }
}
