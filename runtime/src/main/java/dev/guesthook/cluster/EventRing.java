package dev.guesthook.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A node's recent lifecycle events as it publishes them: {@code
 * /etc/pve/nodes/<node>/guesthook/events.json}, beside {@code status.json}. One entry per phase
 * (its situation, outcome, duration, each hook's outcome and duration, a summary of the host
 * changes it made and undid) and per guest a reconcile put something back for. The newest {@link
 * #MAX_ENTRIES} that fit in {@link #MAX_BYTES}; the oldest go first.
 */
public final class EventRing {
  /** The file, one per node. */
  public static final String FILE = "events.json";

  public static final String FORMAT = "guesthook-events";
  public static final int VERSION = 1;

  /**
   * 32 lifecycles of four phases: a busy node's last day or so. A story needs only the last few
   * minutes of each node; more costs every node a larger file to send through corosync per phase.
   */
  public static final int MAX_ENTRIES = 128;

  /**
   * pmxcfs sends a file whole to every node on each write: 64 KiB keeps that small beside {@code
   * status.json}; 128 entries of ~400 bytes (two hooks, a few changes) fit.
   */
  public static final int MAX_BYTES = 64 * 1024;

  /** What a reader takes: a file larger than this is not guesthook's ring. */
  public static final int READ_BOUND = MAX_BYTES + 4096;

  /** How many host changes an entry names (the rest are counted only). */
  static final int SHOWN_CHANGES = 4;

  /** How long one named change, a hook's name or a situation may be. */
  static final int TEXT_BOUND = 160;

  /** How many hooks an entry names. */
  static final int SHOWN_HOOKS = 16;

  private EventRing() {}

  /** The file: whose, as of when, and its entries, oldest first. */
  public record Document(
      String format, int version, String node, String publishedAt, List<Entry> entries) {}

  /**
   * One event on its node. {@code seq} rises by one per entry on that node; {@code phase} is a
   * hookscript phase or {@code reconcile}; {@code situation} is a phase's ({@code start}, {@code
   * resume}, {@code incoming-migration}, ...) or why a reconcile ran ({@code after post-stop of VM
   * 502}, {@code periodic}, {@code by hand}); {@code migratedFrom} the source node of an incoming
   * migration, else absent; {@code outcome} {@code ok}, {@code failed}, {@code aborted} (a rolled
   * back pre-start) or {@code damaged} (a journal with unreadable lines).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Entry(
      long seq,
      String time,
      int vmid,
      String phase,
      String situation,
      String migratedFrom,
      String outcome,
      long durationMs,
      List<HookRun> hooks,
      Changes changes) {
    /** The same entry as the {@code seq}-th of its node. */
    public Entry numbered(long seq) {
      return new Entry(
          seq, time, vmid, phase, situation, migratedFrom, outcome, durationMs, hooks, changes);
    }
  }

  /**
   * A hook that acted in the phase: its outcome ({@code ok}, {@code failed}, {@code timed-out}).
   */
  public record HookRun(String name, String outcome, long durationMs) {}

  /**
   * Host changes: how many were made and undone (by the hooks' rollback or a reconcile), and the
   * first few by name ({@code made: write /sys/...}, {@code undone: mdev ...}).
   */
  public record Changes(int made, int undone, List<String> shown) {
    public static final Changes NONE = new Changes(0, 0, List.of());
  }

  /** A text cut to {@link #TEXT_BOUND} characters, so one entry stays small. */
  static String cut(String text) {
    String value = text == null ? "" : text;
    return value.length() <= TEXT_BOUND ? value : value.substring(0, TEXT_BOUND - 3) + "...";
  }
}
