package dev.guesthook.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.sandbox.ClusterSandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every node's data read back on any node: ages, and one bad file costing only its own node. */
class ClusterViewTest {
  private static final Instant THEN = Instant.parse("2026-12-06T10:00:00Z");
  private static final Duration STALE_AFTER = Duration.ofMinutes(3);

  @TempDir Path base;
  Path cluster;

  @BeforeEach
  void publishedByEveryNode() throws Exception {
    cluster = base.resolve("c");
    ClusterSandbox.create(cluster, SandboxProfile.SRIOV_NIC, 3);
    for (String node : List.of("pve1", "pve2", "pve3")) {
      Path root = cluster.resolve("nodes").resolve(node);
      Publisher.of(SimulatedHost.sandbox(root), root, node, Clock.fixed(THEN, ZoneOffset.UTC))
          .orElseThrow()
          .publish();
    }
  }

  private Map<String, ClusterView.NodeEntry> viewAt(Instant now) throws Exception {
    ClusterView.View view =
        ClusterView.read(
            cluster.resolve("nodes/pve2"), "pve2", Clock.fixed(now, ZoneOffset.UTC), STALE_AFTER);
    return view.nodes().stream()
        .collect(Collectors.toMap(ClusterView.NodeEntry::node, Function.identity()));
  }

  private Path fileOf(String node) {
    return cluster.resolve("pmxcfs/nodes").resolve(node).resolve("guesthook/status.json");
  }

  @Test
  void everyNodesDataIsReadWithItsAge() throws Exception {
    Map<String, ClusterView.NodeEntry> nodes = viewAt(THEN.plusSeconds(42));
    assertEquals(List.of("pve1", "pve2", "pve3"), nodes.keySet().stream().sorted().toList());
    for (ClusterView.NodeEntry entry : nodes.values()) {
      assertEquals(Optional.of(Duration.ofSeconds(42)), entry.age(), entry.node());
      assertFalse(entry.stale(), entry.node());
      assertEquals(entry.node(), entry.report().orElseThrow().node());
    }
  }

  @Test
  void dataOlderThanTheLimitIsStale() throws Exception {
    ClusterView.NodeEntry entry = viewAt(THEN.plus(STALE_AFTER).plusSeconds(1)).get("pve1");
    assertTrue(entry.stale());
    assertTrue(entry.report().isPresent(), "stale data is still shown");
  }

  @Test
  void aMissingFileIsNamedAndTheOtherNodesAreStillShown() throws Exception {
    Files.delete(fileOf("pve3"));
    Map<String, ClusterView.NodeEntry> nodes = viewAt(THEN);
    assertEquals(
        Optional.of(
            "/etc/pve/nodes/pve3/guesthook/status.json: absent (guesthook has not published on"
                + " this node)"),
        nodes.get("pve3").problem());
    assertTrue(nodes.get("pve1").report().isPresent());
  }

  @Test
  void aCorruptFileIsNamedWithWhatIsWrong() throws Exception {
    Files.writeString(fileOf("pve1"), "{\"format\": \"guesthook-node\", \"version\": 1, \"no");
    String problem = viewAt(THEN).get("pve1").problem().orElseThrow();
    assertTrue(
        problem.startsWith(
            "/etc/pve/nodes/pve1/guesthook/status.json: not guesthook's node data ("),
        problem);
    assertTrue(viewAt(THEN).get("pve3").report().isPresent());
  }

  @Test
  void aNewerVersionsFileIsNamedAsSuch() throws Exception {
    Files.writeString(
        fileOf("pve1"),
        "{\"format\": \"guesthook-node\", \"version\": 2, \"node\": \"pve1\", \"more\": 1}");
    assertEquals(
        Optional.of(
            "/etc/pve/nodes/pve1/guesthook/status.json: format 'guesthook-node' version 2, not"
                + " guesthook-node version 1 (another guesthook's?)"),
        viewAt(THEN).get("pve1").problem());
  }

  /**
   * A cluster is upgraded node by node: a newer guesthook of the same format version may publish
   * fields this one does not know. Before, the whole node was shown as "not guesthook's node data".
   */
  @Test
  void aFieldANewerGuesthookAddsIsIgnored() throws Exception {
    com.fasterxml.jackson.databind.node.ObjectNode tree =
        (com.fasterxml.jackson.databind.node.ObjectNode)
            dev.guesthook.json.Json.MAPPER.readTree(Files.readString(fileOf("pve1")));
    tree.put("addedLater", "x");
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("capacity"))
        .putArray("addedLaterToo");
    Files.writeString(fileOf("pve1"), tree.toString());

    ClusterView.NodeEntry entry = viewAt(THEN).get("pve1");

    assertEquals(java.util.Optional.empty(), entry.problem());
    assertTrue(entry.report().isPresent());
  }

  @Test
  void anOversizedFileIsNotRead() throws Exception {
    Files.write(fileOf("pve1"), new byte[Publisher.BOUND + 1]);
    assertEquals(
        Optional.of(
            "/etc/pve/nodes/pve1/guesthook/status.json: larger than 262144 bytes; not read"),
        viewAt(THEN).get("pve1").problem());
  }

  @Test
  void aFileInAnotherNodesNameIsRefused() throws Exception {
    Files.copy(fileOf("pve2"), fileOf("pve1"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(
        Optional.of("/etc/pve/nodes/pve1/guesthook/status.json: says it is node 'pve2'"),
        viewAt(THEN).get("pve1").problem());
  }

  @Test
  void aLinkInPlaceOfANodesFileIsNotFollowed() throws Exception {
    Files.delete(fileOf("pve1"));
    Files.createSymbolicLink(fileOf("pve1"), fileOf("pve2"));
    assertEquals(
        Optional.of("/etc/pve/nodes/pve1/guesthook/status.json: a symbolic link; not followed"),
        viewAt(THEN).get("pve1").problem());
  }

  @Test
  void aFolderThatIsNoNodeNameIsSkippedAndNamed() throws Exception {
    Files.createDirectories(cluster.resolve("pmxcfs/nodes/bad_name"));
    ClusterView.View view =
        ClusterView.read(
            cluster.resolve("nodes/pve2"), "pve2", Clock.fixed(THEN, ZoneOffset.UTC), STALE_AFTER);
    assertEquals(
        List.of(
            "/etc/pve/nodes: 1 folder(s) of no cluster member (not in /etc/pve/.members), not"
                + " read: bad_name (pvecm delnode leaves a removed node's folder: remove it)"),
        view.problems());
    assertEquals(3, view.nodes().size());
  }

  /** A standalone node's .members has no cluster and no nodelist: the node itself is the view. */
  @Test
  void onANodeInNoClusterOnlyItselfIsANode() throws Exception {
    Files.writeString(
        cluster.resolve("nodes/pve2/etc/pve/.members"), "{\"nodename\": \"pve2\", \"version\": 0}");
    ClusterView.View view =
        ClusterView.read(
            cluster.resolve("nodes/pve2"), "pve2", Clock.fixed(THEN, ZoneOffset.UTC), STALE_AFTER);
    assertEquals(List.of("pve2"), view.nodes().stream().map(ClusterView.NodeEntry::node).toList());
    assertEquals(Optional.of(true), view.quorate());
  }

  @Test
  void dataWithinTheClockSkewIsFresh() throws Exception {
    assertFalse(viewAt(THEN.minus(Duration.ofMinutes(5))).get("pve1").stale());
    assertTrue(viewAt(THEN.minus(Duration.ofMinutes(5)).minusSeconds(1)).get("pve1").stale());
  }

  /**
   * A peer that swaps its file with a FIFO between the reader's check and its open (find05: a
   * rename-exchange loop) made every reader block for good; the hook opens the FIFO every time.
   */
  @Test
  void aFileThatDoesNotAnswerCostsThatNodeOnly() throws Exception {
    Path fifo = cluster.resolve("pmxcfs/nodes/pve1/guesthook/fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    ClusterFolder folder =
        ClusterFolder.under(cluster.resolve("nodes/pve2"))
            .readingWithin(
                Duration.ofMillis(300), p -> p.endsWith("pve1/guesthook/status.json") ? fifo : p);

    long start = System.nanoTime();
    ClusterView.View view =
        ClusterView.read(folder, "pve2", Clock.fixed(THEN, ZoneOffset.UTC), STALE_AFTER);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, took::toString);
    assertEquals(
        Optional.of(
            "/etc/pve/nodes/pve1/guesthook/status.json: did not answer in 0.3 s (a FIFO in its"
                + " place? pmxcfs hung?); not read"),
        view.nodes().get(0).problem());
    assertTrue(view.nodes().get(2).report().isPresent());
  }
}
