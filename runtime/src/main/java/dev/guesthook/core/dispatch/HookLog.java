package dev.guesthook.core.dispatch;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * The logger a hook writes to: each message at or above the threshold goes to the phase, whole, as
 * a {@link HookLine}.
 */
public final class HookLog {
  public enum Level {
    DEBUG,
    INFO,
    WARN,
    ERROR;

    public static Level parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown log level '" + text + "': expected one of debug, info, warn, error");
      }
    }
  }

  private final String hookName;
  private final Level threshold;
  private final Consumer<HookLine> sink;

  public HookLog(String hookName, Level threshold, Consumer<HookLine> sink) {
    this.hookName = hookName;
    this.threshold = threshold;
    this.sink = sink;
  }

  public void debug(Object message) {
    log(Level.DEBUG, message);
  }

  public void info(Object message) {
    log(Level.INFO, message);
  }

  public void warn(Object message) {
    log(Level.WARN, message);
  }

  public void error(Object message) {
    log(Level.ERROR, message);
  }

  private void log(Level level, Object message) {
    if (level.compareTo(threshold) < 0) {
      return;
    }
    sink.accept(new HookLine(hookName, level, String.valueOf(message)));
  }
}
