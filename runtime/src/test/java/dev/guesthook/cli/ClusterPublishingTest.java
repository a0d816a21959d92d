package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.List;
import java.util.Optional;
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

    both.publishSoon(vertx); // as serve's timer does
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
  void publishSoonPublishesOnAWorker() throws Exception {
    publishing.publishSoon(vertx);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(Files.exists(file), "published by a worker");
  }
}
