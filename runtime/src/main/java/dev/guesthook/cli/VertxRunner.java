package dev.guesthook.cli;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.logging.JULLogDelegateFactory;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Runs one CLI command on a short-lived Vert.x instance and always closes it. */
final class VertxRunner {
  /**
   * Vert.x's worker threads. Phases run on threads of their own (core.dispatch.PhaseThreads) and
   * publishing on its own; what still runs here is a command's settings and start and, in {@code
   * serve}, the periodic reconcile, the sweep of idle guests' hooks and the heap check, one or two
   * at a time. The default, 20, made {@code serve} one more thread at each such task until it held
   * 20 for good (about 0.1 MB of RSS each); more work than workers waits its turn.
   */
  static final int WORKERS = 4;

  static {
    // Before the first Vert.x class: Netty and then Vert.x each looked for SLF4J, Log4J 2 and
    // Log4J, classes that are not here (each miss a thrown error), before they settled on
    // java.util.logging, and Vert.x started Netty's DNS resolver (resolv.conf, hosts) for names
    // guesthook never resolves: a third of the main thread's CPU in a one-shot phase's start.
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    System.setProperty(
        "vertx.logger-delegate-factory-class-name", JULLogDelegateFactory.class.getName());
    System.setProperty("vertx.disableDnsResolver", "true");
  }

  private VertxRunner() {}

  static Vertx create() {
    VertxOptions options =
        new VertxOptions()
            .setEventLoopPoolSize(1)
            .setWorkerPoolSize(WORKERS)
            // Hooks block on sysfs and processes by design; they are bounded by their own timeouts.
            .setMaxWorkerExecuteTime(10)
            .setMaxWorkerExecuteTimeUnit(TimeUnit.MINUTES)
            // Nothing blocks the event loop (DispatcherTest holds a strict checker to that), but
            // a starved 2-core node can leave its first tasks unscheduled for over Vert.x's 2 s,
            // and the warning would land in Proxmox's task log: only a real stall is reported.
            .setMaxEventLoopExecuteTime(10)
            .setMaxEventLoopExecuteTimeUnit(TimeUnit.SECONDS)
            // No vertx-cache folder in /tmp and no classpath scanning: nothing on the host but
            // hooks.
            .setFileSystemOptions(
                new FileSystemOptions()
                    .setFileCachingEnabled(false)
                    .setClassPathResolvingEnabled(false));
    return Vertx.vertx(options);
  }

  static <T> T run(Function<Vertx, Future<T>> work) throws Exception {
    Vertx vertx = create();
    try {
      return work.apply(vertx).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    } finally {
      try {
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException | InterruptedException ignored) {
        // An abandoned hook may still hold a worker; the process exits regardless.
      }
    }
  }
}
