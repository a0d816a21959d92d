package dev.guesthook.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/** Runs one CLI command on a short-lived Vert.x instance and always closes it. */
final class VertxRunner {
  private VertxRunner() {}

  static Vertx create() {
    VertxOptions options =
        new VertxOptions()
            .setEventLoopPoolSize(1)
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
