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
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Replays recordings through an engine's current hooks, one event at a time (a file is streamed,
 * never held in memory), reporting each comparison as it is made. Blocking: call it from a worker
 * thread.
 */
public final class Replayer {
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

  /**
   * Replays one file; with {@code update}, the file afterwards holds what the hooks do now, unless
   * a record was skipped: then the file is left as it was, so no record is lost without its owner
   * deciding.
   */
  public Summary replay(Path file, boolean update, Consumer<Replay.Comparison> each)
      throws Exception {
    Path updated = file.resolveSibling(file.getFileName() + ".replay-update");
    int events = 0;
    int agree = 0;
    int unreplayable = 0;
    int skipped;
    try (EventDispatcher session = sessions.get();
        RecordingReader reader = new RecordingReader(file, warn);
        BufferedWriter out =
            update ? Files.newBufferedWriter(updated, StandardCharsets.UTF_8) : null) {
      while (reader.hasNext()) {
        RecordedEvent recorded = reader.next();
        DispatchResult now;
        try {
          now = replayed(recorded, session);
        } catch (PveFileException | RecordingException e) {
          warn.accept(
              recorded.file() + ":" + recorded.line() + ": " + e.getMessage() + "; skipped");
          unreplayable++;
          continue;
        }
        Replay.Comparison comparison = Replay.compare(recorded, now);
        events++;
        agree += comparison.agrees() ? 1 : 0;
        each.accept(comparison);
        if (out != null) {
          Map<String, Map<String, Object>> given = new TreeMap<>();
          now.hooks().forEach(h -> given.put(h.hook(), Replay.settings(recorded, h.hook())));
          out.write(RecordingCodec.write(Recording.of(now, given)));
          out.newLine();
        }
      }
      skipped = reader.skipped() + unreplayable;
    } catch (Exception e) {
      Files.deleteIfExists(updated);
      throw e;
    }
    if (update) {
      keepOrReplace(file, updated, skipped);
    }
    return new Summary(events, agree, skipped);
  }

  /**
   * The recorded event dispatched again; a record the session cannot replay (bad settings) is
   * thrown as such.
   */
  private static DispatchResult replayed(RecordedEvent recorded, EventDispatcher session)
      throws Exception {
    LifecycleEvent event = Replay.event(recorded);
    try {
      return session
          .dispatch(event, new ReplayHost(recorded), hook -> Replay.settings(recorded, hook))
          .toCompletionStage()
          .toCompletableFuture()
          .get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RecordingException bad) {
        throw bad;
      }
      throw e;
    }
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
