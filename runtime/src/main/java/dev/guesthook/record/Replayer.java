package dev.guesthook.record;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.pve.PveFileException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Replays recordings through an engine's current hooks, streaming a file: up to {@link #IN_FLIGHT}
 * events are read and dispatched ahead of the one being reported, so reading and comparing overlap
 * the hooks' work and different VMs' events run side by side (the session keeps each VM's own
 * events in order). Comparisons are reported, and {@code --update} written, in the file's order
 * whatever finishes first. Blocking: call it from a worker thread.
 */
public final class Replayer {
  /**
   * Events read ahead of the one reported: enough to keep two cores busy while the oldest event's
   * hooks finish, few enough that memory does not depend on the file (an event of
   * runtime/bench/replay.sh is 13 KB of JSON, about ten times that once typed).
   */
  static final int IN_FLIGHT = 32;

  /**
   * And at most this much recorded text in flight: a record may be up to 16 MiB, and the heap a
   * replay is given (see ./guesthook) holds one such record typed, not 32.
   */
  static final long IN_FLIGHT_CHARS = 4L * 1024 * 1024;

  private final Supplier<EventDispatcher> sessions;
  private final Consumer<String> warn;

  /** {@code sessions} gives a dispatcher per replayed file, e.g. {@code engine::replaySession}. */
  public Replayer(Supplier<EventDispatcher> sessions, Consumer<String> warn) {
    this.sessions = sessions;
    this.warn = warn;
  }

  /** How many events were replayed, how many agreed, and how many records were bad and skipped. */
  public record Summary(int events, int agree, int skipped) {
    public Summary(int events, int agree) {
      this(events, agree, 0);
    }

    public Summary plus(Summary other) {
      return new Summary(events + other.events, agree + other.agree, skipped + other.skipped);
    }

    public int differ() {
      return events - agree;
    }
  }

  /** A recorded event whose replay was started, and what it gives. */
  private record Started(RecordedEvent recorded, CompletableFuture<DispatchResult> now) {}

  /**
   * Replays one file; with {@code update}, the file afterwards holds what the hooks do now, unless
   * a record was skipped: then the file is left as it was, so no record is lost without its owner
   * deciding.
   */
  public Summary replay(Path file, boolean update, Consumer<Replay.Comparison> each)
      throws Exception {
    Path updated = file.resolveSibling(file.getFileName() + ".replay-update");
    Summary total;
    try (EventDispatcher session = sessions.get();
        RecordingReader reader = new RecordingReader(file, warn);
        BufferedWriter out =
            update ? Files.newBufferedWriter(updated, StandardCharsets.UTF_8) : null) {
      RecordedConfigs configs = new RecordedConfigs();
      Deque<Started> started = new ArrayDeque<>();
      long chars = 0;
      total = new Summary(0, 0, 0);
      while (reader.hasNext()) {
        Started next = started(reader.next(), session, configs);
        started.add(next);
        chars += next.recorded().text().length();
        while (started.size() >= IN_FLIGHT || chars > IN_FLIGHT_CHARS) {
          Started oldest = started.remove();
          chars -= oldest.recorded().text().length();
          total = total.plus(reported(oldest, each, out));
        }
      }
      while (!started.isEmpty()) {
        total = total.plus(reported(started.remove(), each, out));
      }
      total = total.plus(new Summary(0, 0, reader.skipped()));
    } catch (Exception e) {
      Files.deleteIfExists(updated);
      throw e;
    }
    if (update) {
      keepOrReplace(file, updated, total.skipped());
    }
    return total;
  }

  /** The recorded event dispatched again; a record that cannot be replayed fails its future. */
  private static Started started(
      RecordedEvent recorded, EventDispatcher session, RecordedConfigs configs) {
    try {
      LifecycleEvent event = Replay.event(recorded, configs);
      return new Started(
          recorded,
          session
              .dispatch(event, new ReplayHost(recorded), hook -> Replay.settings(recorded, hook))
              .toCompletionStage()
              .toCompletableFuture());
    } catch (PveFileException | RecordingException e) {
      return new Started(recorded, CompletableFuture.failedFuture(e));
    }
  }

  /**
   * Waits for the event's replay, compares and reports it, and writes what the hooks did now to
   * {@code out}; a record the session could not replay (bad config or settings) is a warning and
   * counts as skipped.
   */
  private Summary reported(Started started, Consumer<Replay.Comparison> each, BufferedWriter out)
      throws Exception {
    RecordedEvent recorded = started.recorded();
    DispatchResult now;
    try {
      now = started.now().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PveFileException || e.getCause() instanceof RecordingException) {
        warn.accept(
            recorded.file()
                + ":"
                + recorded.line()
                + ": "
                + e.getCause().getMessage()
                + "; skipped");
        return new Summary(0, 0, 1);
      }
      throw e;
    }
    Replay.Comparison comparison = Replay.compare(recorded, now);
    each.accept(comparison);
    if (out != null) {
      Map<String, Map<String, Object>> given = new TreeMap<>();
      now.hooks().forEach(h -> given.put(h.hook(), Replay.settings(recorded, h.hook())));
      out.write(RecordingCodec.write(Recording.of(now, given)));
      out.newLine();
    }
    return new Summary(1, comparison.agrees() ? 1 : 0, 0);
  }

  private void keepOrReplace(Path file, Path updated, int skipped) throws IOException {
    if (skipped > 0) {
      Files.deleteIfExists(updated);
      warn.accept(
          file
              + ": not updated, as "
              + skipped
              + (skipped == 1 ? " record was" : " records were")
              + " skipped (remove or repair them, then --update again)");
    } else {
      Files.move(
          updated, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
  }
}
