package dev.guesthook.guest;

/**
 * What is really happening behind one of Proxmox's four phases. Proxmox runs pre-start for a plain
 * start, a resume from hibernation and an incoming live migration alike, and post-stop for a stop
 * and a hibernation alike; hooks branch on this instead.
 */
public enum Situation {
  /** A plain start (pre-start, post-start). */
  START("start"),
  /**
   * Resume of a VM hibernated with {@code qm suspend --todisk}: config has vmstate and lock:
   * suspended.
   */
  RESUME("resume"),
  /** This node is the target of a live migration: Proxmox sets PVE_MIGRATED_FROM. */
  INCOMING_MIGRATION("incoming-migration"),
  /** A stop or shutdown (pre-stop, post-stop). */
  STOP("stop"),
  /** QEMU quit after saving its state to disk: post-stop with vmstate and lock: suspended. */
  HIBERNATION("hibernation");

  private final String wireName;

  Situation(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  @Override
  public String toString() {
    return wireName;
  }
}
