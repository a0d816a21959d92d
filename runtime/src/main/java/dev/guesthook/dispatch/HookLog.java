package dev.guesthook.dispatch;

import java.util.function.Consumer;

/** The logger a hook writes to: lines go to the Proxmox task log, prefixed with the hook's name. */
public final class HookLog {
  public enum Level {
    DEBUG,
    INFO,
    WARN,
    ERROR;

    public static Level parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown log level '" + text + "': expected one of debug, info, warn, error");
      }
    }
  }

  private final String hookName;
  private final Level threshold;
  private final Consumer<String> sink;

  public HookLog(String hookName, Level threshold, Consumer<String> sink) {
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
    String prefix = level == Level.INFO ? "" : level.name().toLowerCase(java.util.Locale.ROOT) + ": ";
    for (String line : String.valueOf(message).split("\n", -1)) {
      sink.accept("  [" + hookName + "] " + prefix + line);
    }
  }
}
