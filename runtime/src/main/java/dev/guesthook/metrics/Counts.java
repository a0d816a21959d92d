package dev.guesthook.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The counters since the first phase counted: per phase and outcome a duration histogram, per hook
 * its timeouts, and reconcile actions. Kept as JSON between processes ({@link CountsFile}); the
 * maps are sorted so the textfile keeps one order.
 */
public final class Counts {
  /** Upper bounds of the duration buckets, in milliseconds: a phase takes ms to minutes. */
  static final List<Long> BUCKETS_MS =
      List.of(10L, 25L, 50L, 100L, 250L, 500L, 1000L, 2500L, 5000L, 10_000L, 30_000L, 120_000L);

  /** How many phases of one phase and outcome, their total time, and how many per bucket. */
  public static final class Series {
    public long count;
    public long sumMillis;

    /** Not cumulative: {@code buckets[i]} counts phases in ({@code BUCKETS_MS[i-1]}, ...[i]]. */
    public long[] buckets = new long[BUCKETS_MS.size()];

    void add(long millis) {
      count++;
      sumMillis += millis;
      for (int i = 0; i < BUCKETS_MS.size(); i++) {
        if (millis <= BUCKETS_MS.get(i)) {
          buckets[i]++;
          return;
        }
      }
    }
  }

  /** Keyed by phase, then outcome. */
  public Map<String, Map<String, Series>> phases = new TreeMap<>();

  public Map<String, Long> hookTimeouts = new TreeMap<>();
  public long reconcilePutBack;
  public long reconcileFailed;

  public void add(PhaseSample sample) {
    phases
        .computeIfAbsent(sample.phase(), p -> new TreeMap<>())
        .computeIfAbsent(sample.outcome(), o -> new Series())
        .add(Math.max(0, sample.durationMillis()));
    sample.timedOutHooks().forEach(hook -> hookTimeouts.merge(hook, 1L, Long::sum));
    reconcilePutBack += sample.reconcilePutBack();
    reconcileFailed += sample.reconcileFailed();
  }

  public byte[] toJson() throws JsonProcessingException {
    return Json.MAPPER.writeValueAsBytes(this);
  }

  /**
   * Counts read back; a series whose buckets do not match this guesthook's is taken as counted from
   * zero (Prometheus sees a counter reset, which its functions handle).
   */
  public static Counts fromJson(byte[] json) throws IOException {
    Counts counts = Json.MAPPER.readValue(json, Counts.class);
    counts.phases = new TreeMap<>(counts.phases);
    counts.phases.replaceAll((phase, byOutcome) -> new TreeMap<>(byOutcome));
    for (Map<String, Series> byOutcome : counts.phases.values()) {
      byOutcome.replaceAll(
          (outcome, series) -> series.buckets.length == BUCKETS_MS.size() ? series : new Series());
    }
    counts.hookTimeouts = new TreeMap<>(counts.hookTimeouts);
    return counts;
  }
}
