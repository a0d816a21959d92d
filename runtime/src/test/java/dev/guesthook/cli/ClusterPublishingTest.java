package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.cluster.Publisher;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.sandbox.ClusterSandbox;
import dev.guesthook.sandbox.SandboxProfile;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
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
  void publishSoonPublishesOnAWorker() throws Exception {
    publishing.publishSoon(vertx);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.exists(file) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertTrue(Files.exists(file), "published by a worker");
  }
}
