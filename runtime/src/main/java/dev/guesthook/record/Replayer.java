package dev.guesthook.record;

import dev.guesthook.dispatch.DispatchResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Replays recordings through an engine's current hooks, one event at a time (a file is streamed, never
 * held in memory), reporting each comparison as it is made. Blocking: call it from a worker thread.
 */
public final class Replayer {
  private final Supplier<EventDispatcher> sessions;
  private final Consumer<String> warn;

  /** {@code sessions} gives a dispatcher per replayed file, e.g. {@code engine::replaySession}. */
  public Replayer(Supplier<EventDispatcher> sessions, Consumer<String> warn) {
    this.sessions = sessions;
    this.warn = warn;
  }

  /** How many events were replayed and how many agreed. */
  public record Summary(int events, int agree) {
    public Summary plus(Summary other) {
      return new Summary(events + other.events, agree + other.agree);
    }

    public int differ() {
      return events - agree;
    }
  }

  /** Replays one file; with {@code update}, the file afterwards holds what the hooks do now. */
  public Summary replay(Path file, boolean update, Consumer<Replay.Comparison> each) throws Exception {
    Path updated = file.resolveSibling(file.getFileName() + ".replay-update");
    int events = 0;
    int agree = 0;
    try (EventDispatcher session = sessions.get();
        RecordingReader reader = new RecordingReader(file, warn);
        BufferedWriter out = update ? Files.newBufferedWriter(updated, StandardCharsets.UTF_8) : null) {
      while (reader.hasNext()) {
        RecordedEvent recorded = reader.next();
        DispatchResult now = session.dispatch(Replay.event(recorded), new ReplayHost(recorded),
                hook -> Replay.settings(recorded, hook))
            .toCompletionStage().toCompletableFuture().get();
        Replay.Comparison comparison = Replay.compare(recorded, now);
        events++;
        agree += comparison.agrees() ? 1 : 0;
        each.accept(comparison);
        if (out != null) {
          Map<String, Map<String, Object>> given = new TreeMap<>();
          now.hooks().forEach(h -> given.put(h.hook(), Replay.settings(recorded, h.hook())));
          out.write(RecordingFormat.line(now, given));
          out.newLine();
        }
      }
    } catch (Exception e) {
      Files.deleteIfExists(updated);
      throw e;
    }
    if (update) {
      Files.move(updated, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return new Summary(events, agree);
  }
}
