package dev.guesthook.bench;

import dev.guesthook.config.Settings;
import dev.guesthook.core.event.Phase;
import dev.guesthook.engine.Engine;
import dev.guesthook.files.FolderTree;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.id.VmId;
import dev.guesthook.testsupport.Engines;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
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
 * What the resident runtime does per hookscript call, in process: one pre-start of a guest through
 * the warm engine (config read, hook folders checked for changes, guest lock, journal, dispatch on
 * the phase's thread to two Groovy hooks that each write one attribute, recording). Sample-time
 * mode, so JMH reports the median and the tail. Run by runtime/bench/jmh.sh.
 *
 * <p>Warmed up for 30 s: after 4 s the JIT's compiler threads still took 47% of the process's cpu
 * (async-profiler), on the two cores the phase runs on, and the median was 1.9 ms where it settles
 * at 0.86 ms; a resident runtime runs for days.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PhaseBenchmark {
  private Vertx vertx;
  private Engine engine;
  private Path base;
  static final VmId VM = VmId.parse("101");

  /**
   * Where the sandbox host lies: {@code disk} (the temporary folder, ext4 here) or {@code memory}
   * ({@code /dev/shm}, as a node's {@code /sys} and {@code /run} are). The hooks' writes stand for
   * sysfs stores, which truncate nothing, where on ext4 each truncating write of a 1-byte file
   * costs a journal transaction (about 15% of the phase's kernel time). {@code -p hostOn=memory}
   */
  @Param({"disk"})
  public String hostOn;

  @Setup(Level.Trial)
  public void warmRuntime() throws Exception {
    base = hostFolder(hostOn, "guesthook-jmh");
    Path root = base.resolve("root");
    Path hooks = base.resolve("hooks");
    twoHookHost(root, hooks);
    vertx = Vertx.vertx();
    Settings settings = Engines.settings(vertx, root, hooks);
    engine = new Engine(vertx, settings, new LinuxHost(root), Clock.systemUTC()).resident();
    preStart(); // loads and compiles the hooks once, as the runtime's first call does
  }

  /** A new temporary folder on disk or in memory (see {@link #hostOn}). */
  static Path hostFolder(String hostOn, String prefix) throws IOException {
    return switch (hostOn) {
      case "disk" -> Files.createTempDirectory(prefix);
      case "memory" -> Files.createTempDirectory(Path.of("/dev/shm"), prefix);
      default -> throw new IllegalArgumentException("hostOn: disk or memory, not " + hostOn);
    };
  }

  /**
   * The host both phase benchmarks use: VM 101, and two Groovy hooks in {@code hooks} each writing
   * one attribute at its pre-start.
   */
  static void twoHookHost(Path root, Path hooks) throws IOException {
    Files.createDirectories(hooks);
    Files.createDirectories(root.resolve("etc/pve/qemu-server"));
    Files.writeString(root.resolve("etc/hostname"), "pve-bench\n");
    Files.writeString(root.resolve("etc/pve/qemu-server/101.conf"), "memory: 2048\nname: bench\n");
    for (String h : new String[] {"a", "b"}) {
      Files.createDirectories(root.resolve("sys/" + h));
      Files.writeString(root.resolve("sys/" + h + "/attr"), "");
      Files.writeString(
          hooks.resolve("write-" + h + ".groovy"),
          "hook('write-" + h + "') { on('pre-start') { write '/sys/" + h + "/attr', '1' } }\n");
    }
  }

  @Benchmark
  public int preStart() throws Exception {
    return preStart(engine, VM);
  }

  /** VM 101's pre-start through a warm engine, waited for: the phase both benchmarks time. */
  static int preStart(Engine engine) throws Exception {
    return preStart(engine, VM);
  }

  /** One quiet pre-start of {@code vm} through a warm engine; its exit code. */
  static int preStart(Engine engine, VmId vm) throws Exception {
    return engine
        .run(vm, Phase.PRE_START, Optional.empty(), Engines.QUIET)
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS)
        .result()
        .exitCode(false);
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    close(vertx);
    removeTree(base); // in memory, what is left takes RAM until the next boot
  }

  static void removeTree(Path base) throws IOException {
    FolderTree.remove(base);
  }

  static void close(Vertx vertx) throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
