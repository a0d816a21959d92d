package dev.guesthook.bench;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.record.RecordedEvent;
import dev.guesthook.record.Recording;
import dev.guesthook.record.RecordingCodec;
import dev.guesthook.record.Replay;
import dev.guesthook.record.ReplayHost;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor of a replayed event without its hooks: what the replay does for every event of
 * runtime/bench/replay.sh's one-guest file (VM 501 of the sriov-nic sandbox, pre-start then
 * post-stop, ~13 KB of JSON each) besides running the hooks: parse the line into a record, build
 * the host that answers from it, and compare the hooks' outcome (here the recorded one again,
 * equal, as in a replay that agrees) with the recording. Forked with the replay's own JIT (C1 only,
 * see ./guesthook) and with full tiering. Run by runtime/bench/replay-floor.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-XX:TieredStopAtLevel=1")
public class ReplayFloorBenchmark {
  private List<String> lines;
  private List<RecordedEvent> events;
  private List<DispatchResult> outcomes;

  @Setup(Level.Trial)
  public void recordALifecycle() throws Exception {
    Path base = Files.createTempDirectory("guesthook-replay-floor");
    Path root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    for (String phase : List.of("pre-start", "post-stop")) {
      Cli.run(List.of("--root", root.toString(), "--simulate", "--hooks", stock(), "501", phase));
    }
    Path recordings = root.resolve("var/lib/guesthook/recordings");
    try (Stream<Path> files = Files.list(recordings)) {
      lines = Files.readAllLines(files.findFirst().orElseThrow());
    }
    events = new ArrayList<>();
    outcomes = new ArrayList<>();
    for (String line : lines) {
      RecordedEvent event = new RecordedEvent(base, 1, RecordingCodec.read(line), line);
      events.add(event);
      outcomes.add(asReplayed(event.recording()));
    }
  }

  /** The stock hooks of this checkout (runtime/target/test-classes is where this class is). */
  static String stock() throws Exception {
    Path classes =
        Path.of(
            ReplayFloorBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return classes.resolve("../../../hooks/stock").normalize().toString();
  }

  /** What the hooks did when recorded, as a replay that agrees gives it back. */
  private static DispatchResult asReplayed(Recording recording) {
    List<HookOutcome> hooks = new ArrayList<>();
    for (Recording.Hook hook : recording.hooks()) {
      HookOutcome.Status status =
          Arrays.stream(HookOutcome.Status.values())
              .filter(s -> s.wireName().equals(hook.outcome()))
              .findFirst()
              .orElseThrow();
      hooks.add(
          new HookOutcome(
              hook.name(),
              hook.origin(),
              status,
              Duration.ZERO,
              hook.message(),
              hook.interactions(),
              List.of()));
    }
    return new DispatchResult(null, hooks, false);
  }

  /** Both events' lines parsed into records: per event, half of it. */
  @Benchmark
  public Object parseTwoLines() throws Exception {
    Object last = null;
    for (String line : lines) {
      last = RecordingCodec.read(line);
    }
    return last;
  }

  /** Both events' answering hosts built. */
  @Benchmark
  public Object replayHostsOfTwoEvents() {
    Object last = null;
    for (RecordedEvent event : events) {
      last = new ReplayHost(event);
    }
    return last;
  }

  /** Both events compared with what their hooks did. */
  @Benchmark
  public int compareTwoEvents() {
    int interactions = 0;
    for (int i = 0; i < events.size(); i++) {
      interactions += Replay.compare(events.get(i), outcomes.get(i)).interactions();
    }
    return interactions;
  }
}
