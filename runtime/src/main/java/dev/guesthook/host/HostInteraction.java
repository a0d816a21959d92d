package dev.guesthook.host;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One call through the {@link HostPort}, as seen from outside: what was asked, what came back, as
 * the value the port returned (or the errno it threw). The timeline, the dry-run plan, the recorder
 * and a replay are all built from these; none of them parses a result back out of text.
 */
public record HostInteraction(Kind kind, String target, String value, Result result) {
  public enum Kind {
    READ,
    /** {@link HostFiles#readBytes}: its result is the bytes in hex. */
    READ_BYTES,
    WRITE,
    EXISTS,
    LIST,
    READLINK,
    MKDIR,
    DELETE,
    /** {@link HostPort#usableBytes}: the free space of the filesystem holding the target. */
    STATVFS,
    /**
     * A command that only looks ({@link HostCommand#readOnly()}), such as {@code ip -j link show}.
     */
    QUERY,
    RUN;

    /** Made once: a replay names every interaction it compares (600 per lifecycle). */
    private final String wireName = name().toLowerCase(Locale.ROOT);

    /**
     * Whether an interaction of this kind could change the host (as opposed to only looking at it).
     */
    public boolean changesHost() {
      return this == WRITE || this == RUN || this == MKDIR || this == DELETE;
    }

    /**
     * The kind's name in the timeline and in {@code --json} ({@code write}, {@code query}, ...).
     */
    public String wireName() {
      return wireName;
    }
  }

  /** What the port answered: one kind of value per question, or the errno it failed with. */
  public sealed interface Result {
    /** The result as one line of text, as the timeline and {@code --json} show it. */
    String text();
  }

  /** A write, mkdir or delete that went through. */
  public record Done() implements Result {
    public String text() {
      return "ok";
    }
  }

  /** What a read returned. */
  public record Text(String content) implements Result {
    public String text() {
      return content;
    }
  }

  /** Whether the path exists. */
  public record Flag(boolean present) implements Result {
    public String text() {
      return String.valueOf(present);
    }
  }

  /** The names a directory lists. */
  public record Names(List<String> names) implements Result {
    public Names {
      names = List.copyOf(names);
    }

    public String text() {
      return String.join(" ", names);
    }
  }

  /** Where a link points; empty when the path is no link. */
  public record Link(Optional<HostPath> to) implements Result {
    public String text() {
      return to.map(HostPath::toString).orElse("(not a link)");
    }
  }

  /** The usable bytes a statvfs gave. */
  public record Bytes(long usable) implements Result {
    public String text() {
      return String.valueOf(usable);
    }
  }

  /** What became of a command: ran (with its exit code), timed out, planned, or not simulated. */
  public record Ran(CommandResult command) implements Result {
    public String text() {
      return command.status() + " exit=" + command.exitCode();
    }
  }

  /** The call failed with this errno name (ENOENT, EBUSY, ...) and message. */
  public record Errno(String code, String message) implements Result {
    public static Errno of(HostException error) {
      return new Errno(error.errno(), error.getMessage());
    }

    public HostException exception() {
      return new HostException(code, message);
    }

    public String text() {
      return code + ": " + message;
    }
  }

  /** Whether this interaction could change the host (as opposed to only looking at it). */
  public boolean changesHost() {
    return kind.changesHost();
  }

  public boolean failed() {
    return result instanceof Errno;
  }

  /**
   * A command the simulator has no model of: it did not pretend to run it, so it changed nothing.
   */
  public boolean notSimulated() {
    return result instanceof Ran ran
        && ran.command().status() == CommandResult.Status.NOT_SIMULATED;
  }

  /** The result as the timeline and {@code --json} show it. */
  public String shownResult() {
    return result.text();
  }
}
