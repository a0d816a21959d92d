package dev.guesthook.bench;

import dev.guesthook.config.Settings;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.VmId;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Engines;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the health gate adds to a pre-start, in process through the warm engine: VM 601 of the
 * gpu-passthrough sandbox (the Radeon, GPU and audio, passed whole) on the simulated kernel, with
 * the stock pci-mapping hook (which skips) and, with {@code gate=on}, the stock device-health hook,
 * which checks both functions (config space, power state, driver, IOMMU group). Nothing changes the
 * host, so every call does the same work. runtime/bench/gate.sh runs {@code on} and {@code off} in
 * separate forks, alternating which goes first, and prints the medians.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GateBenchmark {
  private static final VmId VM = VmId.parse("601");

  @Param({"on", "off"})
  public String gate;

  private Vertx vertx;
  private Engine engine;

  @Setup(Level.Trial)
  public void warmRuntime() throws Exception {
    Path base = Files.createTempDirectory("guesthook-gate-jmh");
    Path root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.GPU_PASSTHROUGH);
    Files.delete(root.resolve("etc/pve/guesthook/601.yaml")); // gpu-release's, not loaded here
    Path hooks = base.resolve("hooks");
    Files.createDirectories(hooks);
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> files =
        gate.equals("on")
            ? List.of("pci-mapping.groovy", "device-health.groovy")
            : List.of("pci-mapping.groovy");
    for (String file : files) {
      Files.copy(Path.of(ReplayFloorBenchmark.stock()).resolve(file), hooks.resolve(file));
    }
    vertx = Vertx.vertx();
    Settings settings = Engines.settings(vertx, root, hooks);
    engine = new Engine(vertx, settings, SimulatedHost.sandbox(root), Clock.systemUTC()).resident();
    if (preStart() != 0) {
      throw new IllegalStateException("the pre-start of VM 601 failed on the sandbox");
    }
  }

  @Benchmark
  public int preStart() throws Exception {
    return PhaseBenchmark.preStart(engine, VM);
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    PhaseBenchmark.close(vertx);
  }
}
