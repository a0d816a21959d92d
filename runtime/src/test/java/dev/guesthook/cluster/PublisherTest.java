package dev.guesthook.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.devices.Change;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Journals;
import dev.guesthook.json.Json;
import dev.guesthook.sandbox.ClusterSandbox;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node publishes of itself to /etc/pve, and that a publish never fails anything. */
class PublisherTest {
  private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path base;
  Path cluster;
  Path pve1;
  Path published;

  @BeforeEach
  void cluster() throws Exception {
    cluster = base.resolve("c");
    ClusterSandbox.create(cluster, SandboxProfile.MIXED, 2);
    pve1 = cluster.resolve("nodes/pve1");
    published = cluster.resolve("pmxcfs/nodes/pve1/guesthook/status.json");
  }

  private Publisher.Outcome publish(Path root, String node) {
    return Publisher.of(SimulatedHost.sandbox(root), root, node, CLOCK).orElseThrow().publish();
  }

  @Test
  void aNodePublishesItsCapacityAndHoldingsToItsOwnFolderOnly() throws Exception {
    Journals.under(pve1, Duration.ZERO, CLOCK)
        .of(VmId.parse("501"))
        .intent(new Change.VfClaimed(PciAddress.parse("0000:03:02.1")), NOW);

    Publisher.Outcome outcome = publish(pve1, "pve1");

    Publisher.Published written = assertInstanceOf(Publisher.Published.class, outcome);
    assertEquals("/etc/pve/nodes/pve1/guesthook/status.json", written.file());
    assertTrue(written.bytes() < Publisher.BOUND, "within the bound: " + written.bytes());
    JsonNode report = Json.MAPPER.readTree(Files.readAllBytes(published));
    assertEquals("pve1", report.get("node").asText());
    assertEquals(NOW.toString(), report.get("publishedAt").asText());
    assertTrue(report.at("/capacity/mdev").size() > 0, report::toString);
    assertTrue(report.at("/capacity/vfs").size() > 0, report::toString);
    assertEquals(501, report.at("/guests/0/vmid").asInt());
    assertEquals("0000:03:02.1", report.at("/guests/0/holds/0/device").asText());
    assertEquals("claim 0000:03:02.1", report.at("/guests/0/holds/0/changes/0").asText());
    assertFalse(Files.exists(cluster.resolve("pmxcfs/nodes/pve2/guesthook")), "pve2's untouched");
  }

  @Test
  void withoutQuorumNothingIsWrittenAndTheOutcomeSaysWhy() throws Exception {
    publish(pve1, "pve1");
    byte[] before = Files.readAllBytes(published);
    ClusterSandbox.setQuorum(cluster, List.of("pve1"), false);

    Publisher.Paused paused = assertInstanceOf(Publisher.Paused.class, publish(pve1, "pve1"));

    assertEquals("EACCES", paused.errno());
    assertEquals(
        "cluster: publishing paused: /etc/pve/nodes/pve1/guesthook/status.json: Permission denied"
            + " (EACCES): /etc/pve is read-only while this node has no quorum; its data there grows"
            + " old until it has",
        paused.news().orElseThrow());
    assertArrayEquals(before, Files.readAllBytes(published));
    ClusterSandbox.setQuorum(cluster, List.of("pve1"), true);
    assertInstanceOf(Publisher.Published.class, publish(pve1, "pve1"));
  }

  @Test
  void theSimulatedPmxcfsRefusesAFileOverOneMebibyteWithEfbig() throws Exception {
    ClusterFolder folder = ClusterFolder.under(pve1);
    NodeName node = new NodeName("pve1");
    folder.write(node, "max", new byte[ClusterFolder.PMXCFS_MAX_FILE]);
    PublishException refused =
        assertThrows(
            PublishException.class,
            () -> folder.write(node, "over", new byte[ClusterFolder.PMXCFS_MAX_FILE + 1]));
    assertEquals("EFBIG", refused.errno());
    assertFalse(Files.exists(cluster.resolve("pmxcfs/nodes/pve1/guesthook/over")));
  }

  /** Many folders named before this node's in /etc/pve/nodes do not hide it (find08). */
  @Test
  void aNodeAmongManyPlantedFoldersStillPublishes() throws Exception {
    for (int i = 0; i < 1100; i++) {
      Files.createDirectory(cluster.resolve("pmxcfs/nodes/a" + String.format("%04d", i)));
    }

    Publisher.Outcome outcome = publish(pve1, "pve1");

    assertInstanceOf(Publisher.Published.class, outcome);
    assertTrue(Files.exists(cluster.resolve("pmxcfs/nodes/pve1/guesthook/status.json")));
  }

  @Test
  void aLinkInPlaceOfItsFolderIsNotFollowed() throws Exception {
    Path elsewhere = Files.createDirectories(cluster.resolve("pmxcfs/nodes/pve2/guesthook"));
    Files.createSymbolicLink(cluster.resolve("pmxcfs/nodes/pve1/guesthook"), elsewhere);

    Publisher.Paused paused = assertInstanceOf(Publisher.Paused.class, publish(pve1, "pve1"));

    assertTrue(paused.reason().contains("symbolic link; not followed"), paused.reason());
    try (var list = Files.list(elsewhere)) {
      assertEquals(List.of(), list.toList());
    }
  }

  @Test
  void aHostInNoClusterPublishesNothing() throws Exception {
    Path single = base.resolve("single");
    Sandbox.create(single, SandboxProfile.SRIOV_NIC);
    assertInstanceOf(Publisher.NotClustered.class, publish(single, "pve-sandbox"));
    assertFalse(Files.exists(single.resolve("etc/pve/nodes")));
  }

  @Test
  void aNodeNameThatIsNoNameNeverBecomesAPath() {
    SimulatedHost host = SimulatedHost.sandbox(pve1);
    for (String bad : List.of("../pve2", "pve1/..", "", "-pve", "a".repeat(64), "pve\n1")) {
      assertTrue(Publisher.of(host, pve1, bad, CLOCK).isEmpty(), bad);
    }
  }
}
