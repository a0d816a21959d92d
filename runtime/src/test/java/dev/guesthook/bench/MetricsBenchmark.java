package dev.guesthook.bench;

import dev.guesthook.cluster.NodeReport;
import dev.guesthook.cluster.Publisher;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.metrics.NodeMetrics;
import dev.guesthook.metrics.PhaseSample;
import dev.guesthook.sandbox.ClusterSandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the metrics add after a phase, side by side in one JVM on a node of a simulated three-node
 * cluster (the mixed profile's hardware, as {@link PublishBenchmark}): the publish main does after
 * every phase; the same with the metrics as guesthook now does it (one survey for both, the phase
 * counted, the counts file updated under its lock, the textfile written and renamed); and the
 * metrics alone from a survey made already. Run by runtime/bench/metrics.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MetricsBenchmark {
  private static final PhaseSample SAMPLE = new PhaseSample("pre-start", "ok", 42, List.of(), 0, 0);

  private Publisher publisher;
  private NodeMetrics metrics;
  private Optional<NodeReport.Capacity> capacity;

  @Setup(Level.Trial)
  public void node() throws Exception {
    Path base = Files.createTempDirectory("guesthook-jmh");
    Path cluster = base.resolve("cluster");
    ClusterSandbox.create(cluster, SandboxProfile.MIXED, 3);
    Path root = cluster.resolve("nodes/pve1");
    Path folder = Files.createDirectories(root.resolve("var/lib/prometheus/node-exporter"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    LinuxHost host = new LinuxHost(root);
    publisher = Publisher.of(host, root, "pve1", Clock.systemUTC()).orElseThrow();
    metrics = new NodeMetrics(folder.resolve("guesthook.prom"), root, warning -> {});
    capacity = publisher.survey().map(NodeReport::capacity);
    if (!(publisher.publish() instanceof Publisher.Published) || capacity.isEmpty()) {
      throw new IllegalStateException("the benchmark's node does not publish");
    }
  }

  @Benchmark
  public Object publish() {
    return publisher.publish();
  }

  @Benchmark
  public Object publishWithMetrics() {
    Optional<NodeReport> surveyed = publisher.survey();
    Object published = publisher.publish(surveyed, java.util.List.of());
    metrics.count(SAMPLE);
    Optional<String> problem = metrics.write(surveyed.map(NodeReport::capacity));
    if (problem.isPresent()) {
      throw new IllegalStateException(problem.get());
    }
    return published;
  }

  @Benchmark
  public Object metricsAlone() {
    metrics.count(SAMPLE);
    return metrics.write(capacity);
  }
}
