package dev.guesthook.bench;

import dev.guesthook.config.Settings;
import dev.guesthook.core.event.Phase;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.id.VmId;
import dev.guesthook.record.Recording;
import dev.guesthook.record.RecordingCodec;
import dev.guesthook.testsupport.Engines;
import groovy.lang.Closure;
import groovy.lang.GroovyShell;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The parts of PhaseBenchmark's pre-start that any runtime doing the same job must pay, each alone
 * and done the cheapest way Java offers, so that the phase's own figure reads against its floor:
 *
 * <ul>
 *   <li>{@code fileWork}: the files a pre-start must touch, with plain NIO: read the node name and
 *       the guest's config (Proxmox edits it between phases), look for the guest's settings file,
 *       take and release the guest's lock file, look for its journal, the hooks' two writes, and
 *       append the recording's line (not synced: serve syncs it after the answer);
 *   <li>{@code twoHookCalls}: calling two Groovy closures that each make one call on a Java object,
 *       as the two hooks' handlers do, through Groovy's dynamic dispatch;
 *   <li>{@code recordingLine}: the recording's JSON line of this very phase;
 *   <li>{@code fileWorkUnderRules}: what a pre-start's files take under guesthook's safety rules,
 *       done as plainly: the node name is kept from an earlier phase (as Proxmox's daemons keep
 *       theirs); the guest's pid file looked for (a running guest's devices are not taken); the
 *       lock's and the recording's folders looked at with one stat each (walked whole from {@code
 *       /} lately: nobody else can change a folder on such a walk), each file looked at before it
 *       is opened with O_NOFOLLOW; the holder's line written in the lock file and cleared; the hook
 *       folders listed and each hook file looked at (a changed hook is loaded again); the
 *       recording's off marker looked for and its size after the line (rotation); and on this
 *       sandbox, before each read and write, the root and every component below it looked at
 *       without following links (no link may lead out of it; a node's root {@code /} skips that);
 *   <li>{@code handOffAndBack}: a call handed to an idle thread of a pool and its answer handed
 *       back: what any runtime that answers on an event loop and blocks elsewhere pays once a phase
 *       (the benchmark's thread stands for the event loop);
 *   <li>{@code oneStat}: one {@code statx} of a file that exists: what one system call costs on
 *       this machine (on a paravirtualised VM, many times what it costs on bare metal).
 * </ul>
 *
 * Run by runtime/bench/jmh.sh with PhaseBenchmark (see runtime/bench/phase-floor.sh).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 10, time = 3)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PhaseFloorBenchmark {
  /** Where the host lies, as in {@link PhaseBenchmark#hostOn}. */
  @Param({"disk"})
  public String hostOn;

  private Path base;
  private Path root;
  private Path recordingFile;
  private List<Closure<?>> handlers;
  private Recording recording;
  private final Sink sink = new Sink();
  private final ExecutorService pool = Executors.newCachedThreadPool();

  /** What a hook's write reaches: counts, so that the JIT cannot drop the calls. */
  public static final class Sink {
    public long writes;

    public void write(String path, String value) {
      writes += path.length() + value.length();
    }
  }

  @Setup(Level.Trial)
  public void aHostAndOneRecordedPhase() throws Exception {
    base = PhaseBenchmark.hostFolder(hostOn, "guesthook-phase-floor");
    root = base.resolve("root");
    Path hooks = base.resolve("hooks");
    PhaseBenchmark.twoHookHost(root, hooks);
    Files.createDirectories(root.resolve("run/guesthook/locks"));
    recording = recordOnePhase(hooks);
    // Where the runtime's recordings are, so that its folder walk is as long.
    recordingFile = root.resolve("var/lib/guesthook/recordings/floor.jsonl");
    Files.createDirectories(recordingFile.getParent());
    handlers = closures();
  }

  /** One pre-start through the engine, as PhaseBenchmark runs it, read back from its recording. */
  private Recording recordOnePhase(Path hooks) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Settings settings = Engines.settings(vertx, root, hooks);
      Engine engine = new Engine(vertx, settings, new LinuxHost(root), Clock.systemUTC());
      engine
          .run(VmId.parse("101"), Phase.PRE_START, Optional.empty(), Engines.QUIET)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    try (Stream<Path> files = Files.walk(root.resolve("var/lib/guesthook/recordings"))) {
      Path file = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
      return RecordingCodec.read(Files.readAllLines(file).get(0));
    }
  }

  @SuppressWarnings("unchecked")
  private List<Closure<?>> closures() {
    GroovyShell shell = new GroovyShell();
    return (List<Closure<?>>)
        shell.evaluate(
            "[{ sink, ev -> sink.write('/sys/a/attr', '1') },"
                + " { sink, ev -> sink.write('/sys/b/attr', '1') }]");
  }

  @Benchmark
  public long fileWork() throws IOException {
    long seen = Files.readString(root.resolve("etc/hostname")).length();
    seen += Files.readString(root.resolve("etc/pve/qemu-server/101.conf")).length();
    seen +=
        Files.exists(root.resolve("etc/guesthook/vm/101.yaml"), LinkOption.NOFOLLOW_LINKS) ? 1 : 0;
    try (FileChannel lockFile =
        FileChannel.open(
            root.resolve("run/guesthook/locks/vm-101.lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE)) {
      FileLock lock = lockFile.lock();
      seen += Files.exists(root.resolve("var/lib/guesthook/journal/101.jsonl")) ? 1 : 0;
      for (String h : new String[] {"a", "b"}) {
        try (FileChannel attr =
            FileChannel.open(root.resolve("sys/" + h + "/attr"), StandardOpenOption.WRITE)) {
          seen += attr.write(ByteBuffer.wrap(ONE));
        }
      }
      try (FileChannel line =
          FileChannel.open(
              recordingFile,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.APPEND)) {
        seen += line.write(ByteBuffer.wrap(LINE));
      }
      lock.release();
    }
    return seen;
  }

  @Benchmark
  public long fileWorkUnderRules() throws IOException {
    long seen = lookedFor(root.resolve("run/qemu-server/101.pid"));
    seen += readUnderRules(HostPath.of("etc", "pve", "qemu-server", "101.conf"));
    seen += lookedFor(root.resolve("etc/pve/guesthook/101.yaml"));
    seen += hookFolderLookedAt(root.getParent().resolve("hooks"));
    seen += hookFolderLookedAt(root.getParent().resolve("hooks/101"));
    try (FileChannel lockFile =
        openUnderRules(root.resolve("run/guesthook/locks/vm-101.lock"), StandardOpenOption.READ)) {
      FileLock lock = lockFile.lock();
      seen += lockFile.write(ByteBuffer.wrap(HOLDER), 0);
      seen += lookedFor(root.resolve("var/lib/guesthook/journal/101.jsonl"));
      for (String h : new String[] {"a", "b"}) {
        HostPath attr = HostPath.of("sys", h, "attr");
        seen += componentsLookedAt(attr);
        try (FileChannel channel = FileChannel.open(attr.under(root), StandardOpenOption.WRITE)) {
          seen += channel.write(ByteBuffer.wrap(ONE));
        }
      }
      seen += lookedFor(recordingFile.resolveSibling(".off"));
      try (FileChannel line = openUnderRules(recordingFile, StandardOpenOption.APPEND)) {
        seen += line.write(ByteBuffer.wrap(LINE));
        seen += line.size();
      }
      seen += lockFile.write(ByteBuffer.wrap(NO_HOLDER), 0);
      lock.release();
    }
    return seen;
  }

  @Benchmark
  public Object oneStat() throws IOException {
    return Files.readAttributes(recordingFile.getParent(), "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  @Benchmark
  public long handOffAndBack() throws Exception {
    return pool.submit(() -> sink.writes).get();
  }

  private long readUnderRules(HostPath path) throws IOException {
    long seen = componentsLookedAt(path);
    Path file = path.under(root);
    seen += Files.isRegularFile(file) ? 1 : 0;
    return seen + Files.readString(file).length();
  }

  /** The sandbox's root followed, and each component below it looked at without following. */
  private long componentsLookedAt(HostPath path) throws IOException {
    long seen = Files.readAttributes(root, BasicFileAttributes.class).size();
    Path current = root;
    for (String segment : path.segments()) {
      current = current.resolve(segment);
      seen +=
          Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
              .size();
    }
    return seen;
  }

  private static long lookedFor(Path file) {
    return Files.exists(file, LinkOption.NOFOLLOW_LINKS) ? 1 : 0;
  }

  private static long hookFolderLookedAt(Path hooks) throws IOException {
    String[] names = hooks.toFile().list();
    long seen = 0;
    for (String name : names == null ? new String[0] : names) {
      seen += Files.getLastModifiedTime(hooks.resolve(name)).toMillis();
    }
    return seen;
  }

  /** The lock or the recording: folder and file looked at, no link followed, made if absent. */
  private static FileChannel openUnderRules(Path file, StandardOpenOption mode) throws IOException {
    Files.readAttributes(file.getParent(), "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
    try {
      Files.readAttributes(file, "unix:mode,uid", LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException toBeMade) {
      // the recording's first line after the file was emptied
    }
    return FileChannel.open(
        file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode, LinkOption.NOFOLLOW_LINKS);
  }

  @Benchmark
  public long twoHookCalls() {
    for (Closure<?> handler : handlers) {
      handler.call(sink, recording);
    }
    return sink.writes;
  }

  @Benchmark
  public String recordingLine() {
    return RecordingCodec.write(recording);
  }

  @TearDown(Level.Trial)
  public void removeTheHost() throws IOException {
    pool.shutdownNow();
    PhaseBenchmark.removeTree(base);
  }

  @TearDown(Level.Iteration)
  public void emptyTheRecordingFile() throws IOException {
    Files.deleteIfExists(recordingFile);
  }

  private static final byte[] ONE = "1".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HOLDER =
      "VM 101 pre-start (pid 4242)\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NO_HOLDER = {'\n'};
  private static final byte[] LINE = new byte[900];

  static {
    java.util.Arrays.fill(LINE, (byte) 'x');
    LINE[LINE.length - 1] = '\n';
  }
}
