package dev.guesthook.record;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.pve.PveFileException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Replays recordings through an engine's current hooks, streaming: up to {@link #IN_FLIGHT} events
 * are read and dispatched ahead of the one being reported, across file ends, so reading and
 * comparing overlap the hooks' work and different VMs' events (many small files of different
 * guests, as a CI replays) run side by side; the session keeps each VM's own events in order.
 * Comparisons are reported, and {@code --update} written, in the files' order whatever finishes
 * first. Blocking: call it from a worker thread.
 */
public final class Replayer {
  /**
   * Events read ahead of the one reported: enough for two VMs' events side by side and for the
   * reader to stay ahead of one VM's hooks, few enough that memory does not depend on the files (an
   * event of runtime/bench/replay.sh is 13 KB of JSON, about ten times that once typed; with 32,
   * the events kept alive across young collections doubled the full ones of an 8 MB young
   * generation).
   */
  static final int IN_FLIGHT = 16;

  /**
   * And at most this much recorded text in flight: a record may be up to 16 MiB, and the heap a
   * replay is given (see ./guesthook) holds one such record typed, not 16.
   */
  static final long IN_FLIGHT_CHARS = 4L * 1024 * 1024;

  private final Supplier<EventDispatcher> sessions;
  private final Consumer<String> warn;
  private final Set<String> warnedNotReplayed = new HashSet<>();

  /** {@code sessions} gives the dispatcher of a replay run, e.g. {@code engine::replaySession}. */
  public Replayer(Supplier<EventDispatcher> sessions, Consumer<String> warn) {
    this.sessions = sessions;
    this.warn = warn;
  }

  /** How many events were replayed, how many agreed, and how many records were bad and skipped. */
  public record Summary(int events, int agree, int skipped, int leftAsTheyWere) {
    public Summary(int events, int agree, int skipped) {
      this(events, agree, skipped, 0);
    }

    public Summary(int events, int agree) {
      this(events, agree, 0);
    }

    public Summary plus(Summary other) {
      return new Summary(
          events + other.events,
          agree + other.agree,
          skipped + other.skipped,
          leftAsTheyWere + other.leftAsTheyWere);
    }

    public int differ() {
      return events - agree;
    }
  }

  /** What is in flight: an event whose replay was started, or the end of a file. */
  private sealed interface Pending permits Started, Ended {}

  private record Started(
      RecordedEvent recorded,
      ReplayedFile in,
      CompletableFuture<DispatchResult> now,
      List<String> notReplayed)
      implements Pending {}

  private record Ended(ReplayedFile file) implements Pending {}

  /** One file; see {@link #replay(List, boolean, Consumer)}. */
  public Summary replay(Path file, boolean update, Consumer<Replay.Comparison> each)
      throws Exception {
    return replay(List.of(file), update, each);
  }

  /**
   * Replays the files in order, on one session (each VM's hooks are loaded once for them all); with
   * {@code update}, each file afterwards holds what the hooks do now, unless a record of it was
   * skipped.
   */
  public Summary replay(List<Path> files, boolean update, Consumer<Replay.Comparison> each)
      throws Exception {
    Window window = new Window(each);
    try (EventDispatcher session = sessions.get()) {
      RecordedConfigs configs = new RecordedConfigs();
      for (Path file : files) {
        ReplayedFile replayed = ReplayedFile.open(file, update);
        window.opened(replayed);
        read(file, replayed, window, session, configs);
      }
      window.drain();
    } catch (Exception e) {
      window.discard();
      throw e;
    }
    return window.total();
  }

  /** Starts every event of the file, then marks its end. */
  private void read(
      Path file,
      ReplayedFile replayed,
      Window window,
      EventDispatcher session,
      RecordedConfigs configs)
      throws Exception {
    try (RecordingReader reader = new RecordingReader(file, warn)) {
      RecordedEvent next;
      while ((next = nextOf(reader, replayed, window)) != null) {
        window.add(started(next, replayed, session, configs));
        // Not held while the next one is read: a record of megabytes (its text and parsed form)
        // and the next one's must not be in memory at once once this one has been reported.
        next = null;
      }
      replayed.count(new Summary(0, 0, reader.skipped()));
    }
    window.add(new Ended(replayed));
  }

  /**
   * The reader's next event, or null at its end. A file this guesthook cannot read on (a newer
   * format) stops the replay, after what was read before it was reported, as when events ran one by
   * one.
   */
  private static RecordedEvent nextOf(RecordingReader reader, ReplayedFile in, Window window)
      throws Exception {
    try {
      return reader.hasNext() ? reader.next() : null;
    } catch (RuntimeException e) {
      in.failed();
      window.add(new Ended(in));
      window.drain();
      throw e;
    }
  }

  /**
   * The recorded event dispatched again, through the hooks it recorded; a record that cannot be
   * replayed fails its future.
   */
  private Started started(
      RecordedEvent recorded, ReplayedFile in, EventDispatcher session, RecordedConfigs configs) {
    CompletableFuture<DispatchResult> now;
    List<String> notReplayed = List.of();
    try {
      LifecycleEvent event = Replay.event(recorded, configs);
      notReplayed = Replay.notRecorded(recorded, session.hooksOf(event));
      notReplayed.forEach(hook -> warnNotReplayed(recorded.file(), hook));
      now =
          session
              .dispatch(
                  event,
                  new ReplayHost(recorded),
                  hook -> Replay.settings(recorded, hook),
                  recorded.recording()::names)
              .toCompletionStage()
              .toCompletableFuture();
    } catch (PveFileException | RecordingException e) {
      now = CompletableFuture.failedFuture(e);
    }
    return new Started(recorded, in, now, notReplayed);
  }

  /**
   * Says once per file and hook that a hook is newer than the recording: it has no answers there to
   * replay against, so the recording covers the hooks it recorded and not this one.
   */
  private void warnNotReplayed(Path file, String hook) {
    if (warnedNotReplayed.add(file + "\0" + hook)) {
      warn.accept(
          file
              + ": hook "
              + hook
              + " is not in this recording (made before the hook was added): not replayed;"
              + " record the lifecycle again to cover it");
    }
  }

  /** The events in flight, oldest first, each reported once it is the oldest. */
  private final class Window {
    private final Consumer<Replay.Comparison> each;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private final List<ReplayedFile> unfinished = new ArrayList<>();
    private Summary total = new Summary(0, 0, 0);
    private long chars;

    Window(Consumer<Replay.Comparison> each) {
      this.each = each;
    }

    Summary total() {
      return total;
    }

    void opened(ReplayedFile file) {
      unfinished.add(file);
    }

    void add(Pending next) throws Exception {
      pending.add(next);
      chars += next instanceof Started s ? s.recorded().text().length() : 0;
      while (pending.size() >= IN_FLIGHT || chars > IN_FLIGHT_CHARS) {
        reportOldest();
      }
    }

    void drain() throws Exception {
      while (!pending.isEmpty()) {
        reportOldest();
      }
    }

    private void reportOldest() throws Exception {
      Pending oldest = pending.remove();
      if (oldest instanceof Started started) {
        chars -= started.recorded().text().length();
        started.in().count(reported(started, each));
      } else if (oldest instanceof Ended ended) {
        ended.file().finish(warn);
        unfinished.remove(ended.file());
        total = total.plus(ended.file().summary());
      }
    }

    void discard() throws IOException {
      for (ReplayedFile file : unfinished) {
        file.discard();
      }
    }
  }

  /**
   * Waits for the event's replay, compares and reports it, and writes what the hooks did now to its
   * file's update; a record the session could not replay (bad config or settings) is a warning and
   * counts as skipped.
   */
  private Summary reported(Started started, Consumer<Replay.Comparison> each) throws Exception {
    RecordedEvent recorded = started.recorded();
    DispatchResult now;
    Replay.Comparison comparison;
    try {
      now = started.now().get();
      comparison = Replay.compare(recorded, now, started.notReplayed());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PveFileException || e.getCause() instanceof RecordingException) {
        return skipped(recorded, e.getCause().getMessage());
      }
      if (e.getCause() instanceof OutOfMemoryError) {
        return tooLarge(recorded);
      }
      throw e;
    } catch (OutOfMemoryError e) {
      return tooLarge(recorded);
    }
    each.accept(comparison);
    if (started.in().updating()) {
      started.in().missingNow(comparison.missingNow());
      Map<String, Map<String, Object>> given = new TreeMap<>();
      now.hooks().forEach(h -> given.put(h.hook(), Replay.settings(recorded, h.hook())));
      started.in().write(Recording.of(now, given));
    }
    return new Summary(1, comparison.agrees() ? 1 : 0, 0);
  }

  /**
   * A record whose replay ran out of heap (a hook's hundred thousand interactions, each replayed,
   * recorded and compared): what it took is garbage once it is dropped, so the others are still
   * replayed, and the warning says which record and why.
   */
  private Summary tooLarge(RecordedEvent recorded) {
    return skipped(
        recorded,
        "replaying it took more memory than replay's heap bound ("
            + recorded.text().length() / (1024 * 1024)
            + " MiB of record; "
            + recorded.recording().hooks().stream().mapToInt(h -> h.interactions().size()).sum()
            + " interactions)");
  }

  private Summary skipped(RecordedEvent recorded, String why) {
    warn.accept(recorded.file() + ":" + recorded.line() + ": " + why + "; skipped");
    return new Summary(0, 0, 1);
  }
}
