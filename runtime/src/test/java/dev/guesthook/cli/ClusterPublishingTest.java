package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.cluster.Publisher;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.metrics.NodeMetrics;
import dev.guesthook.metrics.PhaseSample;
import dev.guesthook.sandbox.ClusterSandbox;
import dev.guesthook.sandbox.SandboxProfile;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve's publishing: a pause said once and its end once, and publishes off the caller's thread.
 */
class ClusterPublishingTest {
  @TempDir Path base;
  Path cluster;
  Path file;
  List<String> log = new CopyOnWriteArrayList<>();
  ClusterPublishing publishing;
  Vertx vertx;

  @BeforeEach
  void onANodeOfACluster() throws Exception {
    cluster = base.resolve("c");
    ClusterSandbox.create(cluster, SandboxProfile.SRIOV_NIC, 2);
    Path root = cluster.resolve("nodes/pve1");
    file = cluster.resolve("pmxcfs/nodes/pve1/guesthook/status.json");
    publishing =
        new ClusterPublishing(
            Publisher.of(SimulatedHost.sandbox(root), root, "pve1", Clock.systemUTC()), log::add);
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aPauseIsSaidOnceAndItsEndOnce() throws Exception {
    publishing.publishNow();
    assertEquals(List.of(), log);
    ClusterSandbox.setQuorum(cluster, List.of("pve1"), false);
    publishing.publishNow();
    publishing.publishNow();
    assertEquals(1, log.size(), log::toString);
    assertTrue(log.get(0).startsWith("cluster: publishing paused: "), log::toString);
    ClusterSandbox.setQuorum(cluster, List.of(), true);
    publishing.publishNow();
    publishing.publishNow();
    assertEquals("cluster: publishing again", log.get(1));
    assertEquals(2, log.size(), log::toString);
  }

  @Test
  void eachPublishWritesTheMetricsWithTheSameSurvey() throws Exception {
    Path root = cluster.resolve("nodes/pve1");
    Path prom = Files.createDirectories(base.resolve("textfile")).resolve("guesthook.prom");
    Files.setPosixFilePermissions(prom.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    NodeMetrics metrics = new NodeMetrics(prom, root, log::add);
    ClusterPublishing both =
        new ClusterPublishing(
            Publisher.of(SimulatedHost.sandbox(root), root, "pve1", Clock.systemUTC()),
            Optional.of(metrics),
            log::add);
    metrics.count(new PhaseSample("pre-start", "ok", 5, List.of(), 0, 0));

    both.publishSoon(); // as serve's timer does
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!(Files.exists(prom) && Files.exists(file)) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }

    String text = Files.readString(prom);
    assertTrue(text.contains("guesthook_phases_total{phase=\"pre-start\",outcome=\"ok\"} 1"), text);
    assertTrue(text.contains("guesthook_capacity_free{class=\"vf\""), text);
    assertEquals(List.of(), log);
  }

  @Test
  void publishSoonPublishesOnItsOwnThread() throws Exception {
    publishing.publishSoon();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(Files.exists(file), "published by a worker");
  }

  /**
   * A publish that never returns (a FIFO in place of the metrics' counts, as a hung pmxcfs write
   * does): serve's minutes of publishes hold no shared worker, and queue at most one more publish.
   */
  @Test
  void aHungPublishHoldsNoSharedWorkerAndQueuesOneMore() throws Exception {
    Path fifo = hungCounts();
    ClusterPublishing hung = withMetrics();
    try {
      CompletableFuture<Void> first = hung.publishSoon();
      Set<CompletableFuture<Void>> queued = new HashSet<>();
      for (int minute = 0; minute < 40; minute++) {
        Thread.sleep(5);
        queued.add(hung.publishSoon());
      }
      String answer =
          vertx
              .executeBlocking(() -> "reconciled", false)
              .toCompletionStage()
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
      assertEquals("reconciled", answer);
      assertFalse(first.isDone(), "the first publish hangs");
      assertEquals(1, queued.size(), "one publish waits behind it, whatever the calls");
    } finally {
      release(fifo);
    }
  }

  /** The one-shot's wait: a hung publish is left after the bound, with one line. */
  @Test
  void aHungPublishIsWaitedForABoundOnly() throws Exception {
    Path fifo = hungCounts();
    ClusterPublishing hung = withMetrics();
    try {
      long start = System.nanoTime();
      hung.publishWithin(Duration.ofMillis(300));
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(millis < 3000, millis + " ms");
      assertEquals(1, log.size(), log::toString);
      assertTrue(
          log.get(0).startsWith("cluster: publishing did not end within 300 ms"), log::toString);
    } finally {
      release(fifo);
    }
  }

  private ClusterPublishing withMetrics() throws Exception {
    Path root = cluster.resolve("nodes/pve1");
    Path prom = Files.createDirectories(base.resolve("textfile")).resolve("guesthook.prom");
    return new ClusterPublishing(
        Publisher.of(SimulatedHost.sandbox(root), root, "pve1", Clock.systemUTC()),
        Optional.of(new NodeMetrics(prom, root, log::add)),
        log::add);
  }

  /** counts.json as a FIFO: reading it blocks until someone writes it. */
  private Path hungCounts() throws Exception {
    Path folder = Files.createDirectories(cluster.resolve("nodes/pve1/var/lib/guesthook/metrics"));
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
    Path fifo = folder.resolve("counts.json");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    return fifo;
  }

  /**
   * Opens the FIFO for writing and removes it: the hung reader gets an end of file, its publish
   * ends, and the next finds no counts; both are over before the test's folder is removed.
   */
  private static void release(Path fifo) throws Exception {
    try (var out = Files.newOutputStream(fifo)) {
      Files.delete(fifo);
    }
    PublishThreads.awaitIdle();
  }
}
