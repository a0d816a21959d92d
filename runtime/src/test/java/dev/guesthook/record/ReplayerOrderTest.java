package dev.guesthook.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.guest.Situation;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay reports, and {@code --update} writes, events in the file's order, whatever order their
 * replays end in: the same files give the same report however many events run at once.
 */
class ReplayerOrderTest {
  static final int EVENTS = 3 * Replayer.IN_FLIGHT;

  @TempDir Path dir;
  final ScheduledExecutorService clock = Executors.newScheduledThreadPool(4);

  @AfterEach
  void stopClock() {
    clock.shutdownNow();
  }

  /** Events of four VMs, a second apart, as one file. */
  private Path recording() throws Exception {
    return recording("many.jsonl", 0, EVENTS);
  }

  /** {@code count} events from the {@code first}, as one file. */
  private Path recording(String name, int first, int count) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = first; i < first + count; i++) {
      Recording.Event event =
          new Recording.Event(
              VmId.parse(String.valueOf(501 + i % 4)),
              Phase.PRE_START,
              Situation.START,
              "qemu",
              "node1",
              Instant.parse("2026-11-24T19:00:00Z").plusSeconds(i),
              Optional.empty(),
              Map.of("memory", "512"),
              Optional.empty(),
              "memory: 512\n");
      lines.add(RecordingCodec.write(new Recording(event, Map.of(), "ok", 0, List.of())));
    }
    return Files.write(dir.resolve(name), lines);
  }

  /**
   * Answers each event later than the one after it: the event read first ends last of those started
   * together.
   */
  private final class Backwards implements EventDispatcher {
    private int started;

    @Override
    public List<String> hooksOf(LifecycleEvent event) {
      return List.of();
    }

    @Override
    public Future<DispatchResult> dispatch(
        LifecycleEvent event,
        HostPort host,
        Function<String, Map<String, Object>> settingsOf,
        Predicate<String> replayed) {
      Promise<DispatchResult> done = Promise.promise();
      long delay = 2L * (Replayer.IN_FLIGHT - started++ % Replayer.IN_FLIGHT);
      clock.schedule(
          () -> done.complete(new DispatchResult(event, List.of(), false)),
          delay,
          TimeUnit.MILLISECONDS);
      return done.future();
    }

    @Override
    public void close() {}
  }

  /** Each event of the file as "vmid time", in the file's order. */
  private static List<String> events(Path file) throws Exception {
    List<String> out = new ArrayList<>();
    try (RecordingReader reader = new RecordingReader(file, warning -> {})) {
      reader.forEachRemaining(e -> out.add(e.vmid() + " " + e.time()));
    }
    return out;
  }

  @Test
  void reportsAndUpdatesInTheFilesOrderWhateverEndsFirst() throws Exception {
    Path file = recording();
    List<String> inFile = events(file);
    List<String> reported = new ArrayList<>();
    Replayer replayer = new Replayer(Backwards::new, warning -> {});

    Replayer.Summary summary =
        replayer.replay(
            file, true, c -> reported.add(c.recorded().vmid() + " " + c.recorded().time()));

    assertEquals(new Replayer.Summary(EVENTS, EVENTS, 0), summary);
    assertEquals(inFile, reported);
    assertEquals(inFile, events(file), "--update keeps the file's order");
  }

  /** Small files, as a CI replays a node's recordings: more of them than events in flight. */
  @Test
  void reportsAndUpdatesManyFilesEachInItsOrder() throws Exception {
    List<Path> files = new ArrayList<>();
    List<String> inFiles = new ArrayList<>();
    for (int f = 0; f < 12; f++) {
      Path file = recording(f + ".jsonl", f * 8, 8);
      files.add(file);
      inFiles.addAll(events(file));
    }
    List<List<String>> each = new ArrayList<>();
    for (Path file : files) {
      each.add(events(file));
    }
    List<String> reported = new ArrayList<>();

    Replayer.Summary summary =
        new Replayer(Backwards::new, warning -> {})
            .replay(
                files, true, c -> reported.add(c.recorded().vmid() + " " + c.recorded().time()));

    assertEquals(new Replayer.Summary(96, 96, 0), summary);
    assertEquals(inFiles, reported);
    for (int f = 0; f < files.size(); f++) {
      assertEquals(each.get(f), events(files.get(f)), files.get(f) + " keeps its order");
    }
  }
}
