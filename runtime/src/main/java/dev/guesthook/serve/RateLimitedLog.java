package dev.guesthook.serve;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The service log, at most one line of a kind per interval: a failure that repeats thousands of
 * times a second (accept under fd exhaustion, a flood of clients) must not fill the journal or take
 * a core. The next line of a kind says how many were left out.
 */
final class RateLimitedLog {
  private final Consumer<String> log;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Kind> kinds = new HashMap<>();

  private static final class Kind {
    long lastShown;
    long leftOut;
  }

  RateLimitedLog(Consumer<String> log, long intervalNanos, LongSupplier nanoTime) {
    this.log = log;
    this.intervalNanos = intervalNanos;
    this.nanoTime = nanoTime;
  }

  /** Logs {@code line} unless a line of {@code kind} was logged within the interval. */
  synchronized void line(String kind, String line) {
    long now = nanoTime.getAsLong();
    Kind seen = kinds.get(kind);
    if (seen != null && now - seen.lastShown < intervalNanos) {
      seen.leftOut++;
      return;
    }
    String leftOut =
        seen == null || seen.leftOut == 0 ? "" : " (" + seen.leftOut + " more like it not shown)";
    Kind shown = seen == null ? new Kind() : seen;
    shown.lastShown = now;
    shown.leftOut = 0;
    kinds.put(kind, shown);
    log.accept(line + leftOut);
  }
}
