package dev.guesthook.core.event;

import dev.guesthook.id.Printable;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The four phases Proxmox VE calls a guest's hookscript with; a closed set. */
public enum Phase {
  PRE_START("pre-start"),
  POST_START("post-start"),
  PRE_STOP("pre-stop"),
  POST_STOP("post-stop");

  private final String wireName;

  Phase(String wireName) {
    this.wireName = wireName;
  }

  /** The name Proxmox passes on the command line, e.g. {@code pre-start}. */
  public String wireName() {
    return wireName;
  }

  /** Only pre-start can abort what Proxmox is doing; its hooks run as one transaction. */
  public boolean isTransactional() {
    return this == PRE_START;
  }

  public static Phase parse(String text) {
    for (Phase phase : values()) {
      if (phase.wireName.equals(text)) {
        return phase;
      }
    }
    throw new IllegalArgumentException(
        "unknown phase '" + Printable.of(text) + "': expected one of " + allNames());
  }

  public static String allNames() {
    return Arrays.stream(values()).map(Phase::wireName).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return wireName;
  }
}
