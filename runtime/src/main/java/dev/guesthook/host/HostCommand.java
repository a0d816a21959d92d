package dev.guesthook.host;

import dev.guesthook.id.Printable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A process to run on the host: an argument vector (never a shell line), extra environment, a
 * timeout, and where to stream output lines as they come.
 */
public record HostCommand(
    List<String> argv,
    Map<String, String> environment,
    Duration timeout,
    Consumer<String> outputLines,
    boolean readOnly) {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  public HostCommand {
    argv = List.copyOf(argv);
    environment = Map.copyOf(environment);
    if (argv.isEmpty() || argv.get(0).isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    for (String arg : argv) {
      checkArgument(arg);
    }
    environment.forEach(
        (name, value) -> {
          if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException(
                "invalid environment name '" + Printable.of(name) + "'");
          }
          checkArgument(value);
        });
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("command timeout must be positive");
    }
  }

  public HostCommand(
      List<String> argv,
      Map<String, String> environment,
      Duration timeout,
      Consumer<String> outputLines) {
    this(argv, environment, timeout, outputLines, false);
  }

  public static HostCommand of(String... argv) {
    return new HostCommand(List.of(argv), Map.of(), DEFAULT_TIMEOUT, line -> {});
  }

  /**
   * A command that only looks at the host (like {@code ip -j link show}): a dry run still runs it.
   */
  public static HostCommand query(String... argv) {
    return of(argv).asQuery();
  }

  public HostCommand asQuery() {
    return new HostCommand(argv, environment, timeout, outputLines, true);
  }

  public HostCommand withTimeout(Duration newTimeout) {
    return new HostCommand(argv, environment, newTimeout, outputLines, readOnly);
  }

  private static void checkArgument(String arg) {
    if (arg == null || arg.indexOf('\0') >= 0 || arg.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("invalid command argument '" + Printable.of(arg) + "'");
    }
  }

  /** The command as one line for logs; arguments with spaces are quoted. */
  public String display() {
    StringBuilder line = new StringBuilder();
    for (String arg : argv) {
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(arg.isEmpty() || arg.contains(" ") ? "'" + arg + "'" : arg);
    }
    return line.toString();
  }
}
