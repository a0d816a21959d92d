package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.json.Json;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every node's folder in /etc/pve can be written by any node: a peer's file is hostile. What it
 * holds costs that node's entry at most, never a reader's whole view, and never reaches the
 * terminal raw.
 */
class ClusterPeerFilesTest {
  private static final String ESCAPES = "\u001b]0;PWNED\u0007\u001b[2J\u001b[31mRED\u001b[0m";

  @TempDir Path base;
  Path cluster;

  @BeforeEach
  void pve1HasPublished() {
    cluster = base.resolve("c");
    Cli.Result created =
        Cli.run(
            List.of("sandbox", "create", cluster.toString(), "--nodes", "3", "--profile", "mixed"));
    assertEquals(0, created.exitCode(), created::toString);
    assertEquals(0, on("pve1", "201", "pre-start").exitCode());
  }

  private Cli.Result on(String node, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--root", cluster.resolve("nodes/" + node).toString(), "--simulate"));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  private Path fileOf(String node) {
    return cluster.resolve("pmxcfs/nodes").resolve(node).resolve("guesthook/status.json");
  }

  /** pve3's file: pve1's, in pve3's name, fresh, changed by {@code change}. */
  private void plantOnPve3(Consumer<ObjectNode> change) throws Exception {
    ObjectNode file = (ObjectNode) Json.MAPPER.readTree(fileOf("pve1").toFile());
    file.put("node", "pve3");
    file.put("publishedAt", Instant.now().toString());
    change.accept(file);
    Files.createDirectories(fileOf("pve3").getParent());
    Files.write(fileOf("pve3"), Json.MAPPER.writeValueAsBytes(file));
  }

  private static ObjectNode firstOf(ObjectNode file, String list) {
    return (ObjectNode) file.withArray("/capacity/" + list).get(0);
  }

  private List<Cli.Result> readers(String... before) {
    List<Cli.Result> results = new ArrayList<>();
    for (List<String> command :
        List.of(
            List.of("cluster", "status"),
            List.of("cluster", "place", "201"),
            List.of("events", "--cluster"),
            List.of("events", "--html", base.resolve("page.html").toString()))) {
      List<String> args = new ArrayList<>(List.of(before));
      args.addAll(command);
      results.add(on("pve2", args.toArray(String[]::new)));
    }
    return results;
  }

  /** Before, each of these made every reader on every node exit 3 (a NullPointerException). */
  @Test
  void aNullInAPeersFileCostsThatNodeOnly() throws Exception {
    List<Consumer<ObjectNode>> nulls =
        List.of(
            f -> f.withArray("/capacity/mdev").addNull(),
            f -> f.putArray("guests").addNull(),
            f -> f.putArray("guests").addObject().put("vmid", 999).putArray("holds").addNull(),
            f -> firstOf(f, "mdev").putNull("type"),
            f -> firstOf(f, "vgpu").remove("profile"));
    Files.createDirectories(fileOf("pve3").getParent());
    Files.writeString(fileOf("pve3"), "{");
    List<Integer> asForAnUnreadableNode = readers().stream().map(Cli.Result::exitCode).toList();
    assertTrue(asForAnUnreadableNode.contains(ExitCodes.HOOK_FAILED));
    for (Consumer<ObjectNode> planted : nulls) {
      plantOnPve3(planted);
      List<Cli.Result> reads = readers();
      assertEquals(
          asForAnUnreadableNode,
          reads.stream().map(Cli.Result::exitCode).toList(),
          reads::toString);
      Cli.Result status = on("pve2", "cluster", "status");
      assertTrue(
          status
              .out()
              .contains(
                  "pve3  NO DATA: /etc/pve/nodes/pve3/guesthook/status.json: not"
                      + " guesthook's node data: "),
          status::toString);
      assertTrue(status.out().contains("pve1  published"), status::toString);
    }
  }

  @Test
  void aFileOfAnOlderGuesthookWithoutItsOptionalFieldsIsStillRead() throws Exception {
    plantOnPve3(
        f -> {
          f.remove("mappings");
          ((ObjectNode) f.get("capacity")).remove("functions");
        });
    Cli.Result status = on("pve2", "cluster", "status");
    assertTrue(status.out().contains("pve3  published"), status::toString);
  }

  /** Before, the escapes reached stdout raw: a forged line, a new title, a cleared screen. */
  @Test
  void aPeersControlCharactersAreShownAsEscapes() throws Exception {
    plantOnPve3(
        f -> {
          firstOf(f, "mdev").put("type", "x" + ESCAPES);
          firstOf(f, "mdev").put("name", "n\r\nFAKE  published ok" + ESCAPES);
          firstOf(f, "vgpu").put("profile", "p" + ESCAPES);
          ArrayNode guests = f.putArray("guests");
          ObjectNode hold = guests.addObject().put("vmid", 999).putArray("holds").addObject();
          hold.put("device", "0000:00:02.0").putArray("changes").add("c" + ESCAPES);
        });
    List<Cli.Result> all = new ArrayList<>(readers());
    all.addAll(readers("--json"));
    for (Cli.Result read : all) {
      assertFalse(read.out().contains("\u001b"), read::toString);
      assertFalse(read.out().contains("\r"), read::toString);
      assertFalse(read.out().contains("\nFAKE"), read::toString);
    }
    Cli.Result status = on("pve2", "cluster", "status");
    assertTrue(status.out().contains("x\\x1b]0;PWNED\\x07\\x1b[2J"), status::toString);
    assertTrue(status.out().contains("n\\x0d\\nFAKE  published ok"), status::toString);
  }

  /**
   * find10's shape, scaled: node folders each with a file near its 256 KiB bound dense with small
   * objects. Before, a hundred of them ran every reader out of its 128 MB heap (exit 3); now the
   * nodes past the read budget are named and not read.
   */
  @Test
  void nodesPastTheReadBudgetAreNamedNotRead() throws Exception {
    ObjectNode file = (ObjectNode) Json.MAPPER.readTree(fileOf("pve1").toFile());
    file.put("publishedAt", Instant.now().toString());
    ArrayNode guests = file.putArray("guests");
    for (int vmid = 100; Json.MAPPER.writeValueAsBytes(file).length < 250_000; vmid++) {
      ArrayNode changes =
          guests
              .addObject()
              .put("vmid", vmid)
              .putArray("holds")
              .addObject()
              .put("device", "0000:00:02.0")
              .putArray("changes");
      for (int i = 0; i < 20; i++) {
        changes.add("a");
      }
    }
    List<String> dense = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String node = String.format("x%02d", i);
      dense.add(node);
      file.put("node", node);
      Files.createDirectories(fileOf(node).getParent());
      Files.write(fileOf(node), Json.MAPPER.writeValueAsBytes(file));
    }
    addMembers(dense);

    for (Cli.Result read :
        List.of(on("pve2", "cluster", "status"), on("pve2", "events", "--cluster"))) {
      assertEquals(ExitCodes.HOOK_FAILED, read.exitCode(), read::toString);
      assertTrue(
          read.out()
              .contains(
                  "/etc/pve/nodes/x19/guesthook/status.json: not read: over guesthook's budget of 4096"
                      + " KiB for all nodes' status.json (nodes are read in name order)"),
          read::toString);
      assertTrue(read.out().contains("pve1  "), read::toString);
    }
  }

  /** {@code nodes} made members of the cluster in pve2's {@code /etc/pve/.members}. */
  private void addMembers(List<String> nodes) throws Exception {
    Path members = cluster.resolve("nodes/pve2/etc/pve/.members");
    ObjectNode file = (ObjectNode) Json.MAPPER.readTree(members.toFile());
    ObjectNode list = (ObjectNode) file.get("nodelist");
    int id = list.size();
    for (String node : nodes) {
      list.putObject(node).put("id", ++id).put("online", 1).put("ip", "10.0.1." + id);
    }
    Files.write(members, Json.MAPPER.writeValueAsBytes(file));
  }

  /**
   * find14: a folder PVE1 whose file names itself was shown as a node and offered by place; one
   * left behind by pvecm delnode is the same. Only pmxcfs's members are nodes.
   */
  @Test
  void aFolderOfNoMemberIsNoNodeAndNeverOffered() throws Exception {
    plantOnPve3(f -> {});
    ObjectNode file = (ObjectNode) Json.MAPPER.readTree(fileOf("pve1").toFile());
    file.put("node", "PVE1");
    Files.createDirectories(fileOf("PVE1").getParent());
    Files.write(fileOf("PVE1"), Json.MAPPER.writeValueAsBytes(file));

    Cli.Result status = on("pve2", "cluster", "status");
    Cli.Result place = on("pve2", "cluster", "place", "201");

    assertTrue(status.out().startsWith("cluster of 3 node(s)"), status::toString);
    assertFalse(status.out().contains("\nPVE1  "), status::toString);
    assertTrue(
        status
            .out()
            .contains(
                "problem: /etc/pve/nodes: 1 folder(s) of no cluster member (not in /etc/pve/.members),"
                    + " not read: PVE1 (pvecm delnode leaves a removed node's folder: remove it)"),
        status::toString);
    assertFalse(place.out().contains("PVE1"), place::toString);
    assertTrue(place.out().contains("pve3  "), place::toString);
  }

  /** find08: 1100 folders named before the real nodes hid every one of them from the readers. */
  @Test
  void manyFoldersOfNoMemberHideNoNode() throws Exception {
    for (int i = 0; i < 1100; i++) {
      Files.createDirectory(cluster.resolve("pmxcfs/nodes").resolve(String.format("a%04d", i)));
    }
    Cli.Result status = on("pve2", "cluster", "status");

    assertTrue(status.out().startsWith("cluster of 3 node(s)"), status::toString);
    assertTrue(status.out().contains("\npve1  published"), status::toString);
    assertTrue(
        status
            .out()
            .contains(
                "/etc/pve/nodes: 1100 folder(s) of no cluster member (not in /etc/pve/.members), not"
                    + " read: "),
        status::toString);
  }

  /** find03: data from the future had a negative age, was never stale, and place offered it. */
  @Test
  void dataFromTheFutureIsStaleNamingTheClock() throws Exception {
    for (String when : List.of("2099-01-01T00:00:00Z", "+1000000000-12-31T23:59:59.999999999Z")) {
      plantOnPve3(f -> f.put("publishedAt", when));

      Cli.Result status = on("pve2", "cluster", "status");
      Cli.Result place = on("pve2", "cluster", "place", "201");

      assertEquals(ExitCodes.HOOK_FAILED, status.exitCode(), status::toString);
      assertTrue(
          status
              .out()
              .contains(
                  "pve3  NO DATA: /etc/pve/nodes/pve3/guesthook/status.json: STALE:"
                      + " published "
                      + when
                      + ", "),
          status::toString);
      assertTrue(status.out().contains("ahead of this node's clock"), status::toString);
      assertFalse(place.out().contains("pve3  fits"), place::toString);
      assertTrue(place.out().contains("pve3  no: "), place::toString);
    }
  }
}
