package dev.guesthook.journald;

/** syslog priorities, as journald's PRIORITY field takes them: the ones guesthook's lines need. */
public enum Priority {
  ERR(3),
  WARNING(4),
  INFO(6),
  DEBUG(7);

  private final int value;

  Priority(int value) {
    this.value = value;
  }

  public int value() {
    return value;
  }
}
