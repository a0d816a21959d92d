package dev.guesthook.host;

import java.util.List;
import java.util.Locale;

/**
 * One call through the {@link HostPort}, as seen from outside: what was asked, what came back. The
 * timeline, the dry-run plan and the recorder are all built from these.
 */
public record HostInteraction(Kind kind, String target, String value, String result, boolean failed) {
  public enum Kind {
    READ,
    WRITE,
    EXISTS,
    LIST,
    READLINK,
    MKDIR,
    DELETE,
    /** A command that only looks ({@link HostCommand#readOnly()}), such as {@code ip -j link show}. */
    QUERY,
    RUN;

    /** Whether an interaction of this kind could change the host (as opposed to only looking at it). */
    public boolean changesHost() {
      return this == WRITE || this == RUN || this == MKDIR || this == DELETE;
    }

    /** The kind as recordings name it ({@code write}, {@code query}, ...). */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Kind fromWireName(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  /** Whether this interaction could change the host (as opposed to only looking at it). */
  public boolean changesHost() {
    return kind.changesHost();
  }

  static HostInteraction of(Kind kind, String target, String value, String result) {
    return new HostInteraction(kind, target, value, result, false);
  }

  static HostInteraction failure(Kind kind, String target, String value, HostException error) {
    return new HostInteraction(kind, target, value, error.errno() + ": " + error.getMessage(), true);
  }

  static String joined(List<String> names) {
    return String.join(" ", names);
  }
}
