package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.OneShot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster end to end through the CLI on a simulated three-node cluster: a phase on one node is
 * seen from another, and a node without quorum runs its phases as before while its data grows old.
 */
class ClusterCommandTest {
  @TempDir Path base;

  private Path cluster(String name) {
    Path dir = base.resolve(name);
    Cli.Result created =
        Cli.run(List.of("sandbox", "create", dir.toString(), "--nodes", "3", "--profile", "mixed"));
    assertEquals(0, created.exitCode(), created::toString);
    return dir;
  }

  private static Cli.Result on(Path cluster, String node, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--root", cluster.resolve("nodes/" + node).toString(), "--simulate"));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  /**
   * A dry run and a check on a node of a simulated cluster read /etc/pve through the node's link
   * into the shared tree. Before, the dry run's overlay followed that link to itself and both ended
   * as an internal error, "/etc/pve/nodes/pve1: too many levels of symbolic links".
   */
  @Test
  void aDryRunAndACheckWorkOnAClusterNode() {
    Path cluster = cluster("c");

    Cli.Result dry = on(cluster, "pve1", "--dry-run", "501", "pre-start");
    Cli.Result check = on(cluster, "pve1", "check", "501");

    assertEquals(0, dry.exitCode(), dry::toString);
    assertTrue(dry.out().contains("pre-start ok"), dry::toString);
    assertTrue(
        check.exitCode() != 3 && !check.toString().contains("internal error"), check::toString);
  }

  private static JsonNode nodeIn(JsonNode status, String node) {
    for (JsonNode entry : status.get("nodes")) {
      if (entry.get("node").asText().equals(node)) {
        return entry;
      }
    }
    throw new AssertionError("no " + node + " in " + status);
  }

  @Test
  void aPhaseOnOneNodeShowsInClusterStatusOnAnother() {
    Path cluster = cluster("c");
    assertEquals(0, on(cluster, "pve1", "501", "pre-start").exitCode());

    Cli.Result status = on(cluster, "pve2", "--json", "cluster", "status");

    // pve2 and pve3 ran no phase yet: their files are absent, which is worth an exit 1
    assertEquals(ExitCodes.HOOK_FAILED, status.exitCode(), status::toString);
    JsonNode pve1 = nodeIn(status.json(), "pve1");
    assertEquals(false, pve1.get("stale").asBoolean(), status::toString);
    assertEquals(501, pve1.at("/guests/0/vmid").asInt(), status::toString);
    assertEquals("0000:03:02.1", pve1.at("/guests/0/holds/0/device").asText());
    assertTrue(pve1.at("/capacity/vfio").toString().contains("0000:03:02.1"), status::toString);
    assertEquals(
        "/etc/pve/nodes/pve3/guesthook/status.json: absent (guesthook has not published on this"
            + " node)",
        nodeIn(status.json(), "pve3").get("problem").asText());
    assertEquals(true, status.json().get("quorate").asBoolean());
  }

  @Test
  void theTextViewShowsEachClassFreeOfTotalAndTheHoldings() {
    Path cluster = cluster("c");
    on(cluster, "pve1", "501", "pre-start");
    on(cluster, "pve2", "502", "pre-start");
    on(cluster, "pve3", "503", "pre-start");

    Cli.Result status = on(cluster, "pve3", "cluster", "status");

    assertEquals(ExitCodes.OK, status.exitCode(), status::toString);
    assertTrue(
        status
            .out()
            .startsWith(
                "cluster of 3 node(s) as seen from pve3 (quorate); data older than 180 s is stale\npve1  published "),
        status::toString);
    for (String row :
        List.of(
            "  mdev   0000:00:02.0 i915-GVTg_V5_4 (GVTg_V5_4)        free 2/2",
            "  vfs    0000:03:00.0                                   free 3/64 (4 enabled)",
            "  guest  501                                            0000:03:02.1 (claim"
                + " 0000:03:02.1, link 0000:03:02.1, driver 0000:03:02.1)")) {
      assertTrue(status.out().contains(row + "\n"), () -> row + "\n" + status);
    }
  }

  @Test
  void withoutQuorumPhasesRunAsBeforeAndTheNodesDataGrowsOld() throws Exception {
    Path quorate = cluster("quorate");
    Path partitioned = cluster("partitioned");
    for (Path c : List.of(quorate, partitioned)) {
      assertEquals(0, on(c, "pve1", "501", "pre-start").exitCode());
    }
    Path file = partitioned.resolve("pmxcfs/nodes/pve1/guesthook/status.json");
    byte[] published = Files.readAllBytes(file);
    Cli.Result lost =
        Cli.run(List.of("sandbox", "quorum", partitioned.toString(), "--lose", "pve1"));
    assertEquals("quorum lost on pve1: their /etc/pve is read-only (EACCES)\n", lost.out());

    Cli.Result withQuorum = on(quorate, "pve1", "501", "post-stop");
    Cli.Result withoutQuorum = on(partitioned, "pve1", "501", "post-stop");

    assertEquals(withQuorum.exitCode(), withoutQuorum.exitCode());
    assertEquals(0, withoutQuorum.exitCode());
    assertEquals(timeless(withQuorum.out()), timeless(withoutQuorum.out()));
    assertEquals("", withQuorum.err());
    assertEquals(
        "guesthook: warning: cluster: publishing paused:"
            + " /etc/pve/nodes/pve1/guesthook/status.json: Permission denied (EACCES): /etc/pve is"
            + " read-only while this node has no quorum; its data there grows old until it has\n",
        withoutQuorum.err());
    assertArrayEquals(published, Files.readAllBytes(file), "nothing written without quorum");

    Cli.Result fromPve2 =
        on(partitioned, "pve2", "--json", "cluster", "status", "--stale-after", "0");
    JsonNode pve1 = nodeIn(fromPve2.json(), "pve1");
    assertEquals(true, pve1.get("stale").asBoolean(), fromPve2::toString);
    assertEquals(501, pve1.at("/guests/0/vmid").asInt(), "the last data it could publish");
    Cli.Result fromPve1 = on(partitioned, "pve1", "cluster", "status");
    assertTrue(fromPve1.out().contains("(NO QUORUM: /etc/pve read-only)"), fromPve1::toString);

    Cli.Result back = Cli.run(List.of("sandbox", "quorum", partitioned.toString(), "--regain"));
    assertEquals(0, back.exitCode(), back::toString);
    on(partitioned, "pve1", "501", "post-stop");
    assertEquals(
        0,
        nodeIn(on(partitioned, "pve2", "--json", "cluster", "status").json(), "pve1")
            .get("guests")
            .size(),
        "published again once quorate");
  }

  @Test
  void servePublishesAtItsStartAndAfterEachPhaseItAnswers() throws Exception {
    Path cluster = cluster("c");
    Path root = cluster.resolve("nodes/pve1");
    Path socket = root.resolve("run/guesthook/guesthook.sock");
    Path file = cluster.resolve("pmxcfs/nodes/pve1/guesthook/status.json");
    OneShot serve =
        OneShot.start(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                ServeTest.STOCK.toString(),
                "serve"));
    try {
      await(() -> Files.exists(socket) && Files.exists(file), "serve listens and has published");
      ProcessBuilder client =
          new ProcessBuilder(ServeTest.CLIENT.toString(), "501", "pre-start")
              .redirectErrorStream(true);
      client.environment().put("GUESTHOOK_SOCKET", socket.toString());
      client.environment().put("GUESTHOOK_ONESHOT", "/bin/false");
      Process phase = client.start();
      phase.getOutputStream().close();
      String said = new String(phase.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, phase.waitFor(), said);
      await(
          () -> Files.readString(file).contains("\"vmid\":501"),
          "the phase's holdings published after its answer");
    } finally {
      serve.stop();
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void await(Check check, String what) throws Exception {
    for (int i = 0; i < 600 && !check.holds(); i++) {
      Thread.sleep(50);
    }
    assertTrue(check.holds(), what);
  }

  @Test
  void statusOutsideAClusterSaysSo() {
    Path single = base.resolve("single");
    Cli.run(List.of("sandbox", "create", single.toString(), "--profile", "sriov-nic"));
    Cli.Result status =
        Cli.run(List.of("--root", single.toString(), "--simulate", "cluster", "status"));
    assertEquals(ExitCodes.USAGE, status.exitCode());
    assertEquals(
        "guesthook: error: no cluster here: /etc/pve/nodes is absent or empty (is pmxcfs"
            + " running?)\n",
        status.err());
  }

  @Test
  void helpTeachesTheClassesTheAgesAndTheExitCodes() {
    Cli.Result help = Cli.run(List.of("cluster", "status", "--help"));
    assertEquals(0, help.exitCode());
    for (String taught :
        List.of(
            "mdev",
            "vgpu",
            "vfs",
            "vfio",
            "guests",
            "STALE",
            "--stale-after",
            "Exit 0",
            "--json")) {
      assertTrue(help.out().contains(taught), () -> taught + "\n" + help.out());
    }
  }

  /** Hooks' durations differ from run to run. */
  private static String timeless(String taskLog) {
    return taskLog.replaceAll("\\(\\d+ ms\\)", "(ms)");
  }
}
