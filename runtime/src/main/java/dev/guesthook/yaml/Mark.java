package dev.guesthook.yaml;

/** Where a value stands in a file, for messages: {@code /etc/pve/guesthook/101.yaml:4:9}. */
public record Mark(String file, int line, int column) {
  /** A value that did not come from a file line (a recording, a built-in default). */
  public static Mark of(String origin) {
    return new Mark(origin, 0, 0);
  }

  @Override
  public String toString() {
    return line == 0 ? file : file + ":" + line + ":" + column;
  }
}
