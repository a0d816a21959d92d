package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.GuestJournals;
import dev.guesthook.testsupport.SimulatedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guesthook events --cluster} end to end on a simulated three-node cluster: each node's
 * phases and reconciles in its ring in /etc/pve, merged by time on any node, a migration as one
 * story, and a node whose data is old or bad named while the others are shown.
 */
class ClusterEventsCommandTest {
  @TempDir Path base;

  private SimulatedCluster cluster(String name) {
    return SimulatedCluster.create(base.resolve(name));
  }

  private static List<JsonNode> events(JsonNode view) {
    return StreamSupport.stream(view.get("events").spliterator(), false).toList();
  }

  private static JsonNode nodeIn(JsonNode view, String node) {
    for (JsonNode entry : view.get("nodes")) {
      if (entry.get("node").asText().equals(node)) {
        return entry;
      }
    }
    throw new AssertionError("no " + node + " in " + view);
  }

  @Test
  void aPhaseOnPve1IsSeenByEventsClusterOnPve2() {
    SimulatedCluster cluster = cluster("c");
    assertEquals(0, cluster.on("pve1", "501", "pre-start").exitCode());

    Cli.Result json = cluster.on("pve2", "--json", "events", "--cluster");
    Cli.Result text = cluster.on("pve2", "events", "--cluster");

    // pve2 and pve3 published nothing yet: worth an exit 1, and pve1's event is shown all the same
    assertEquals(ExitCodes.HOOK_FAILED, json.exitCode(), json::toString);
    JsonNode event = events(json.json()).get(0);
    assertEquals("event", event.get("type").asText());
    assertEquals("pve1", event.get("node").asText());
    assertEquals(501, event.get("vmid").asInt());
    assertEquals("pre-start", event.get("phase").asText());
    assertEquals("start", event.get("situation").asText());
    assertEquals("ok", event.get("outcome").asText());
    assertEquals("sriov-vf", event.at("/hooks/0/name").asText(), event::toString);
    assertTrue(event.at("/changes/made").asInt() > 0, event::toString);
    assertTrue(text.out().contains("  pve1  VM 501 pre-start (start): ok in "), text::toString);
    assertTrue(
        text.out()
            .contains(
                "pve3  STALE: 0 event(s), data age unknown; /etc/pve/nodes/pve3/guesthook/status.json:"
                    + " absent (guesthook has not published on this node)\n"),
        text::toString);
  }

  @Test
  void aPreStartRefusedOnPve1IsSeenWithItsReasonOnPve2() {
    SimulatedCluster cluster = cluster("c");
    // A guest whose config is not on pve1: the pre-start is refused, and the start aborted.
    Cli.Result refused = cluster.on("pve1", "202", "pre-start");
    assertEquals(ExitCodes.USAGE, refused.exitCode(), refused::toString);

    Cli.Result json = cluster.on("pve2", "--json", "events", "--cluster");
    Cli.Result text = cluster.on("pve2", "events", "--cluster");

    JsonNode event = events(json.json()).get(0);
    assertEquals("pve1", event.get("node").asText(), json::toString);
    assertEquals(202, event.get("vmid").asInt());
    assertEquals("pre-start", event.get("phase").asText());
    assertEquals("refused", event.get("outcome").asText());
    assertTrue(
        event.get("situation").asText().startsWith("no config for guest 202"), event::toString);
    assertEquals(0, event.at("/changes/made").asInt(), event::toString);
    assertTrue(
        text.out().contains("  pve1  VM 202 pre-start (no config for guest 202"), text::toString);
  }

  @Test
  void withoutQuorumPhasesRunAsBeforeAndTheNodesAgeShows() throws Exception {
    SimulatedCluster cluster = cluster("c");
    assertEquals(0, cluster.on("pve1", "501", "pre-start").exitCode());
    Cli.run(List.of("sandbox", "quorum", cluster.dir().toString(), "--lose", "pve1"));

    Cli.Result stop = cluster.on("pve1", "501", "post-stop");

    assertEquals(0, stop.exitCode(), stop::toString);
    assertTrue(stop.out().contains("post-stop"), stop::toString);
    Cli.Result seen = cluster.on("pve2", "--json", "events", "--cluster", "--stale-after", "0");
    JsonNode pve1 = nodeIn(seen.json(), "pve1");
    assertEquals(true, pve1.get("stale").asBoolean(), seen::toString);
    assertTrue(pve1.has("ageSeconds"), seen::toString);
    assertEquals(1, pve1.get("events").asInt(), "the post-stop waits on pve1: " + seen);
    Cli.Result text = cluster.on("pve2", "events", "--cluster", "--stale-after", "0");
    assertTrue(
        Pattern.compile("\npve1  STALE: 1 event\\(s\\), data \\d+ s old\n")
            .matcher(text.out())
            .find(),
        text::toString);

    Cli.run(List.of("sandbox", "quorum", cluster.dir().toString(), "--regain"));
    assertEquals(0, cluster.on("pve1", "302", "pre-start").exitCode());
    List<String> phases =
        events(cluster.on("pve2", "--json", "events", "--cluster").json()).stream()
            .map(e -> e.get("vmid").asInt() + " " + e.get("phase").asText())
            .toList();
    assertEquals(List.of("501 pre-start", "501 post-stop", "302 pre-start"), phases);
  }

  @Test
  void aBadFileOnOneNodeIsNamedAndTheOthersAreShown() throws Exception {
    SimulatedCluster cluster = cluster("c");
    for (String node : List.of("pve1", "pve2", "pve3")) {
      // a guest of each node whose pre-start succeeds there
      String vmid = Map.of("pve1", "501", "pve2", "502", "pve3", "301").get(node);
      assertEquals(0, cluster.on(node, vmid, "pre-start").exitCode());
    }
    Path pve1 = cluster.pmxcfs("nodes/pve1/guesthook/events.json");
    byte[] good = Files.readAllBytes(pve1);
    Path elsewhere = base.resolve("planted.json");
    Files.write(elsewhere, good);
    Map<String, Runnable> plantings =
        Map.of(
            "a symbolic link; not followed",
            () -> link(pve1, elsewhere),
            "larger than 69632 bytes; not read",
            () -> write(pve1, "{\"entries\":[" + " ".repeat(80_000) + "]}"),
            "not guesthook's events (Unexpected character",
            () -> write(pve1, "<html>garbage</html>"),
            "format 'guesthook-node' version 1, not guesthook-events version 1",
            () -> write(pve1, "{\"format\":\"guesthook-node\",\"version\":1}"));
    for (Map.Entry<String, Runnable> planting : plantings.entrySet()) {
      planting.getValue().run();

      Cli.Result seen = cluster.on("pve3", "--json", "events", "--cluster");

      assertEquals(ExitCodes.HOOK_FAILED, seen.exitCode(), seen::toString);
      String problem = nodeIn(seen.json(), "pve1").get("problem").asText();
      assertTrue(
          problem.startsWith("/etc/pve/nodes/pve1/guesthook/events.json: " + planting.getKey()),
          problem);
      assertEquals(
          "pve2 pve3",
          events(seen.json()).stream()
              .map(e -> e.get("node").asText())
              .sorted()
              .collect(Collectors.joining(" ")),
          seen::toString);
      write(pve1, new String(good, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static void link(Path at, Path to) {
    try {
      Files.delete(at);
      Files.createSymbolicLink(at, to);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void write(Path at, String text) {
    try {
      Files.deleteIfExists(at);
      Files.writeString(at, text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aMigrationPve1ToPve2ReadsAsOneStory() throws Exception {
    SimulatedCluster cluster = cluster("c").migrated501();
    assertEquals(0, cluster.on("pve3", "301", "pre-start").exitCode());

    Cli.Result text = cluster.on("pve3", "events", "--cluster", "--vmid", "501");
    Cli.Result json = cluster.on("pve3", "--json", "events", "--cluster");

    List<String> lines = text.out().lines().filter(l -> !l.matches("pve\\d  .*")).toList();
    assertTrue(
        lines.get(1).matches("\\S+  pve1  VM 501 pre-start \\(start\\): ok in .*"), text::toString);
    assertTrue(lines.get(2).matches("VM 501 migrated pve1 -> pve2 at \\S+"), text::toString);
    assertTrue(
        lines.get(3).matches("  \\S+  pve1  VM 501 post-stop \\(stop\\): ok in .*"),
        text::toString);
    assertTrue(
        lines
            .get(4)
            .matches("  \\S+  pve2  VM 501 pre-start \\(incoming-migration from pve1\\): ok in .*"),
        text::toString);
    assertEquals(5, lines.size(), text::toString);
    JsonNode story =
        events(json.json()).stream()
            .filter(e -> e.get("type").asText().equals("migration"))
            .findFirst()
            .orElseThrow();
    assertEquals(501, story.get("vmid").asInt());
    assertEquals("pve1", story.get("from").asText());
    assertEquals("pve2", story.get("to").asText());
    assertEquals(
        List.of("pve1 post-stop", "pve2 pre-start"),
        StreamSupport.stream(story.get("steps").spliterator(), false)
            .map(s -> s.get("node").asText() + " " + s.get("phase").asText())
            .toList());
  }

  @Test
  void aLiveMigrationsSourceReconcileIsPartOfTheStory() throws Exception {
    SimulatedCluster cluster = cluster("c");
    assertEquals(0, cluster.on("pve1", "501", "pre-start").exitCode());
    // The guest ran for a day on pve1 (a start a moment ago would be left alone as starting).
    GuestJournals.startedADayAgo(cluster.dir().resolve("nodes/pve1"), "501");
    cluster.moveConfig("501", "pve1", "pve2");
    Cli.Result start = cluster.on("pve2", Map.of("PVE_MIGRATED_FROM", "pve1"), "501", "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    // Proxmox runs no post-stop on the source: a reconcile there puts back what the guest held.
    Cli.Result reconcile = cluster.on("pve1", "reconcile");
    assertTrue(reconcile.out().contains("VM 501"), reconcile::toString);

    Cli.Result text = cluster.on("pve3", "events", "--cluster", "--vmid", "501");

    List<String> story =
        text.out().lines().dropWhile(l -> !l.startsWith("VM 501 migrated")).toList();
    assertTrue(story.get(0).matches("VM 501 migrated pve1 -> pve2 at \\S+"), text::toString);
    assertTrue(story.get(1).contains("  pve2  VM 501 pre-start (incoming-migration from pve1)"));
    assertTrue(
        story
            .get(2)
            .matches(
                "  \\S+  pve1  VM 501 reconcile \\(by hand\\): ok in \\d+ ms; changes made 0, undone [1-9].*"),
        text::toString);
    assertEquals(3, story.size(), text::toString);
  }

  /**
   * A peer's entry whose time lies at the edge of what Java can count (a story's window around it
   * overflowed) is one entry that makes no sense, not the end of every node's view.
   */
  @Test
  void anEntryAtTheEdgeOfTimeIsLeftOutAndTheOthersShown() throws Exception {
    SimulatedCluster cluster = cluster("c");
    assertEquals(0, cluster.on("pve1", "201", "pre-start").exitCode());
    for (String time : List.of("-1000000000-01-01T00:00:00Z", "+1000000000-12-31T23:59:59Z")) {
      Path ring = cluster.pmxcfs("nodes/pve3/guesthook/events.json");
      Files.createDirectories(ring.getParent());
      Files.writeString(
          ring,
          "{\"format\":\"guesthook-events\",\"version\":1,\"node\":\"pve3\","
              + "\"publishedAt\":\"2026-12-06T18:00:00Z\",\"entries\":[{\"seq\":1,\"time\":\""
              + time
              + "\",\"vmid\":201,\"phase\":\"pre-start\",\"situation\":\"incoming-migration\","
              + "\"migratedFrom\":\"pve1\",\"outcome\":\"ok\",\"durationMs\":1,\"hooks\":[],"
              + "\"changes\":{\"made\":0,\"undone\":0,\"shown\":[]}}]}");

      Cli.Result text = cluster.on("pve2", "events", "--cluster");
      Cli.Result json = cluster.on("pve2", "--json", "events", "--cluster");

      assertEquals(ExitCodes.HOOK_FAILED, text.exitCode(), text::toString);
      assertEquals(ExitCodes.HOOK_FAILED, json.exitCode(), json::toString);
      assertTrue(text.out().contains("1 entries make no sense; left out"), text::toString);
      assertTrue(text.out().contains("  pve1  VM 201 pre-start (start): ok in "), text::toString);
    }
  }

  /** A guest cannot migrate to the node it is on: such a source is no story's. */
  @Test
  void aSourceNamingTheNodeItselfTellsNoMigration() {
    SimulatedCluster cluster = cluster("c");
    Cli.Result start = cluster.on("pve1", Map.of("PVE_MIGRATED_FROM", "pve1"), "201", "pre-start");
    assertEquals(0, start.exitCode(), start::toString);

    Cli.Result text = cluster.on("pve2", "events", "--cluster");

    assertTrue(!text.out().contains("migrated pve1 -> pve1"), text::toString);
    assertTrue(text.out().contains("  pve1  VM 201 pre-start ("), text::toString);
  }

  /** A poll that cannot read a node's ring does not make the next one print that ring again. */
  @Test
  void followPrintsNothingTwiceAfterAPollThatCouldNotReadANode() throws Exception {
    SimulatedCluster cluster = cluster("c");
    assertEquals(0, cluster.on("pve1", "501", "pre-start").exitCode());
    Path ring = cluster.pmxcfs("nodes/pve1/guesthook/events.json");
    String published = Files.readString(ring);
    Cli.Result[] followed = new Cli.Result[1];
    Thread follower =
        new Thread(
            () ->
                followed[0] =
                    cluster.on("pve2", "events", "--cluster", "--follow", "--stop-after", "9"));
    follower.start();
    Thread.sleep(3000);
    Files.writeString(ring, "not json");
    Thread.sleep(3000); // at least one poll meets it (every 2 s)
    Files.writeString(ring, published);
    follower.join(60_000);

    String out = followed[0].out();
    assertEquals(1, count(out, "  pve1  VM 501 pre-start (start)"), out);
  }

  @Test
  void followPrintsEachNewEventOnce() throws Exception {
    SimulatedCluster cluster = cluster("c");
    assertEquals(0, cluster.on("pve1", "501", "pre-start").exitCode());
    Cli.Result[] followed = new Cli.Result[1];
    // Long enough for a phase on a loaded machine (an in-process phase takes about a second, a
    // poll comes every 2 s); it stops by itself.
    Thread follower =
        new Thread(
            () ->
                followed[0] =
                    cluster.on("pve2", "events", "--cluster", "--follow", "--stop-after", "15"));
    follower.start();
    Thread.sleep(3000);
    assertEquals(0, cluster.on("pve3", "301", "pre-start").exitCode());
    follower.join(90_000);

    String out = followed[0].out();
    assertEquals(1, count(out, "  pve1  VM 501 pre-start (start)"), out);
    assertEquals(1, count(out, "  pve3  VM 301 pre-start (start)"), out);
  }

  private static int count(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }
}
