package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.config.Settings;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.journald.Journald;
import dev.guesthook.serve.ResidentRuntime;
import dev.guesthook.testsupport.Engines;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * What a call through {@code serve} costs in wake-ups: on a loaded node each wake-up of a thread
 * waits for a core, and the client's call waits for every one on its path. A call should wake the
 * thread that reads requests and the phase thread that runs the phase and writes its answer, and no
 * thread in between.
 */
class ServeHandOffTest {
  private static final int CALLS = 100;

  /**
   * In memory, as a node's /sys and /run are: on a disk, each sync of the recording is a sleep of
   * its own, which is not a hand-off.
   */
  @TempDir(factory = InMemory.class)
  Path base;

  Path socket;
  Vertx vertx;
  ResidentRuntime runtime;

  @BeforeEach
  void serveTwoTrivialHooks() throws Exception {
    Path root = base.resolve("host");
    Path hooks = base.resolve("hooks");
    Files.createDirectories(root.resolve("etc/pve/qemu-server"));
    Files.createDirectories(root.resolve("sys/a"));
    Files.createDirectories(hooks);
    Files.writeString(root.resolve("etc/hostname"), "pve-test\n");
    Files.writeString(root.resolve("etc/pve/qemu-server/101.conf"), "memory: 2048\nname: t\n");
    Files.writeString(root.resolve("sys/a/attr"), "");
    for (String hook : new String[] {"a", "b"}) {
      Files.writeString(
          hooks.resolve("write-" + hook + ".groovy"),
          "hook('write-" + hook + "') { on('pre-start') { write '/sys/a/attr', '1' } }\n");
    }
    vertx = Vertx.vertx();
    Settings settings = Engines.settings(vertx, root, hooks);
    Engine engine = new Engine(vertx, settings, new LinuxHost(root), Clock.systemUTC()).resident();
    socket = root.resolve("run/guesthook/guesthook.sock");
    runtime =
        new ResidentRuntime(
            socket, ServeCommand.runner(engine, settings, Journald.OFF), line -> {});
    runtime.start();
  }

  /** Temporary folders in /dev/shm. */
  static final class InMemory implements TempDirFactory {
    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context)
        throws IOException {
      return Files.createTempDirectory(Path.of("/dev/shm"), "guesthook-handoff-");
    }
  }

  @AfterEach
  void stop() throws Exception {
    runtime.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aCallWakesTheRequestReaderAndOnePhaseThreadAndNoOtherThreadOfServe() throws Exception {
    for (int i = 0; i < 100; i++) { // the hooks compiled, every thread made, the JIT mostly done
      assertEquals(0, exitOf(call()));
    }
    long before = sleepsOfServeThreads();
    for (int i = 0; i < CALLS; i++) {
      assertEquals(0, exitOf(call()));
    }
    double perCall = (double) (sleepsOfServeThreads() - before) / CALLS;

    // About one sleep for the reader (it waits for the next connection, sometimes for the request
    // line too) and one for the phase thread (it waits for the next phase), with slack for the
    // timers a phase sets: 2.3 measured. A request thread in between added two, waiting for the
    // request and then for the phase thread's result: 4.3.
    assertTrue(perCall <= 3.0, perCall + " sleeps of serve's threads per call");
  }

  /** The exit code of an answer. */
  private static int exitOf(String answer) {
    assertTrue(answer.endsWith("\n") && answer.contains("X "), answer);
    return Integer.parseInt(answer.substring(answer.lastIndexOf("X ") + 2, answer.length() - 1));
  }

  private String call() throws IOException {
    try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      client.connect(UnixDomainSocketAddress.of(socket));
      client.write(
          ByteBuffer.wrap("guesthook/1 101 pre-start -\n".getBytes(StandardCharsets.UTF_8)));
      StringBuilder answer = new StringBuilder();
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (client.read(buffer) >= 0) {
        answer.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
        buffer.clear();
      }
      return answer.toString();
    }
  }

  /**
   * How often this JVM's guesthook threads have gone to sleep waiting (voluntary context switches),
   * summed: the kernel's count, read from /proc, whatever the machine's load.
   */
  private static long sleepsOfServeThreads() throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks
          .filter(ServeHandOffTest::isGuesthookThread)
          .mapToLong(ServeHandOffTest::sleeps)
          .sum();
    }
  }

  private static boolean isGuesthookThread(Path task) {
    try {
      return Files.readString(task.resolve("comm")).startsWith("guesthook-");
    } catch (IOException gone) {
      return false;
    }
  }

  private static long sleeps(Path task) {
    try {
      return Files.readAllLines(task.resolve("status")).stream()
          .filter(line -> line.startsWith("voluntary_ctxt_switches:"))
          .mapToLong(line -> Long.parseLong(line.split("\\s+")[1]))
          .sum();
    } catch (IOException gone) {
      return 0; // a thread that ended meanwhile
    } catch (UncheckedIOException gone) {
      return 0;
    }
  }
}
