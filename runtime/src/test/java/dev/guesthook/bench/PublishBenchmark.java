package dev.guesthook.bench;

import dev.guesthook.cluster.EventEntries;
import dev.guesthook.cluster.EventRing;
import dev.guesthook.cluster.Publisher;
import dev.guesthook.config.Settings;
import dev.guesthook.core.event.Phase;
import dev.guesthook.devices.Change;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Journal;
import dev.guesthook.journal.Journals;
import dev.guesthook.sandbox.ClusterSandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Engines;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What publishing adds to a phase, side by side in one JVM: {@link PhaseBenchmark}'s pre-start (two
 * Groovy hooks, warm engine) on a node of a simulated three-node cluster (the mixed profile's
 * hardware: 2 mdev parents with 7 types, 3 PFs, a vGPU GPU with 16 VFs), the same pre-start
 * followed by a publish, and the publish alone (survey through the port, 20 guests' journals with 3
 * changes each, JSON, write beside and rename in /etc/pve). The host is the real one's code ({@code
 * LinuxHost}) over the node's tree, as a node reads sysfs. Run by runtime/bench/publish.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PublishBenchmark {
  private Vertx vertx;
  private Engine engine;
  private Publisher publisher;
  private EventRing.Entry event;

  @Setup(Level.Trial)
  public void warmRuntime() throws Exception {
    Path base = Files.createTempDirectory("guesthook-jmh");
    Path cluster = base.resolve("cluster");
    ClusterSandbox.create(cluster, SandboxProfile.MIXED, 3);
    Path root = cluster.resolve("nodes/pve1");
    Path hooks = base.resolve("hooks");
    PhaseBenchmark.twoHookHost(root, hooks);
    holdings(root);
    vertx = Vertx.vertx();
    Settings settings = Engines.settings(vertx, root, hooks);
    LinuxHost host = new LinuxHost(root);
    engine = new Engine(vertx, settings, host, Clock.systemUTC()).resident();
    publisher = Publisher.of(host, root, "pve1", Clock.systemUTC()).orElseThrow();
    Engine.Run run = preStartRun();
    event = EventEntries.ofPhase(run.result(), Duration.ofMillis(5));
    if (!(publisher.publish(Optional.empty(), List.of(event)) instanceof Publisher.Published)) {
      throw new IllegalStateException("the benchmark's publish does not publish");
    }
  }

  /** 20 guests' journals, 3 changes each: a busy node's holdings. */
  private static void holdings(Path root) {
    Journals journals = Journals.under(root, Duration.ZERO, Clock.systemUTC());
    for (int g = 0; g < 20; g++) {
      Journal journal = journals.of(new VmId(1000 + g));
      PciAddress vf =
          PciAddress.parse(String.format(Locale.ROOT, "0000:03:%02x.%d", 2 + g / 8, g % 8));
      journal.intent(new Change.VfClaimed(vf), Clock.systemUTC().instant());
      journal.intent(new Change.DriverChanged(vf, Optional.empty()), Clock.systemUTC().instant());
      journal.intent(new Change.VfClaimed(vf), Clock.systemUTC().instant());
    }
  }

  private Engine.Run preStartRun() throws Exception {
    return engine
        .run(PhaseBenchmark.VM, Phase.PRE_START, Optional.empty(), Engines.QUIET)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @Benchmark
  public int preStart() throws Exception {
    return PhaseBenchmark.preStart(engine);
  }

  @Benchmark
  public Object preStartThenPublish() throws Exception {
    preStart();
    return publisher.publish();
  }

  @Benchmark
  public Object publishAlone() {
    return publisher.publish();
  }

  /**
   * What a phase's publish does now: its event built from the phase's result, added to this node's
   * ring (tail read, one append under the lock), the status written, and the ring written beside
   * it.
   */
  @Benchmark
  public Object preStartThenPublishWithItsEvent() throws Exception {
    long start = System.nanoTime();
    Engine.Run run = preStartRun();
    EventRing.Entry entry =
        EventEntries.ofPhase(run.result(), Duration.ofNanos(System.nanoTime() - start));
    return publisher.publish(Optional.empty(), List.of(entry));
  }

  /** The publish alone with one new event: the ring's part is this less {@link #publishAlone}. */
  @Benchmark
  public Object publishWithAnEvent() {
    return publisher.publish(Optional.empty(), List.of(event));
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
