package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Vert.x instance every command runs on, {@code serve} for days: its worker pool is sized for
 * what still runs there (settings, the runtime's start, the periodic reconcile and sweep), not
 * Vert.x's default of 20 threads that a resident runtime made one by one and kept.
 */
class VertxRunnerTest {
  private final Vertx vertx = VertxRunner.create();

  @AfterEach
  void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void blockingWorkOneAfterAnotherKeepsNoMoreThreadsThanThePoolsSize() throws Exception {
    Set<Thread> workers = ConcurrentHashMap.newKeySet();
    for (int i = 0; i < 3 * VertxRunner.WORKERS + 20; i++) {
      vertx
          .executeBlocking(() -> workers.add(Thread.currentThread()), false)
          .toCompletionStage()
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }

    assertTrue(
        workers.size() <= VertxRunner.WORKERS,
        workers.size() + " worker threads for work done one task at a time");
  }

  @Test
  void moreBlockingWorkAtOnceThanWorkersStillAllRuns() throws Exception {
    int tasks = 3 * VertxRunner.WORKERS;
    CountDownLatch poolFull = new CountDownLatch(VertxRunner.WORKERS);
    Set<Thread> workers = ConcurrentHashMap.newKeySet();
    List<Future<Boolean>> done = new ArrayList<>();
    for (int i = 0; i < tasks; i++) {
      done.add(
          vertx.executeBlocking(
              () -> {
                workers.add(Thread.currentThread());
                poolFull.countDown();
                // Every worker busy at once before any lets go: the rest queue, none is dropped.
                return poolFull.await(10, TimeUnit.SECONDS);
              },
              false));
    }

    for (Future<Boolean> task : done) {
      assertTrue(task.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS));
    }
    assertEquals(VertxRunner.WORKERS, workers.size());
  }
}
