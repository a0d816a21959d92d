package dev.guesthook.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.json.Json;
import dev.guesthook.sandbox.ClusterSandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's ring of events: bounded by count and bytes, oldest dropped, kept through no quorum. */
class EventRingTest {
  private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir Path base;
  Path cluster;
  Path pve1;
  Path published;
  Publisher publisher;

  @BeforeEach
  void cluster() throws Exception {
    cluster = base.resolve("c");
    ClusterSandbox.create(cluster, SandboxProfile.MIXED, 2);
    pve1 = cluster.resolve("nodes/pve1");
    published = cluster.resolve("pmxcfs/nodes/pve1/guesthook/events.json");
    publisher = Publisher.of(SimulatedHost.sandbox(pve1), pve1, "pve1", CLOCK).orElseThrow();
  }

  /** A phase's entry; {@code wordy}: every text as long as an entry keeps it. */
  private static EventRing.Entry entry(int i, boolean wordy) {
    String text = wordy ? "x".repeat(EventRing.TEXT_BOUND) : "write /sys/x";
    List<EventRing.HookRun> hooks = new ArrayList<>();
    for (int h = 0; h < (wordy ? EventRing.SHOWN_HOOKS : 1); h++) {
      hooks.add(new EventRing.HookRun(wordy ? text : "hook", "ok", 3));
    }
    return new EventRing.Entry(
        0,
        NOW.plusSeconds(i).toString(),
        500 + i % 10,
        "pre-start",
        "start",
        null,
        "ok",
        12,
        hooks,
        new EventRing.Changes(9, 0, List.of(text, text, text, text)));
  }

  private JsonNode ring() throws Exception {
    return Json.MAPPER.readTree(Files.readAllBytes(published));
  }

  @Test
  void aFloodKeepsTheNewestWithinCountAndBytes() throws Exception {
    // 2000 entries, 50 a publish: past four rings' bytes, where this node's copy is cut back
    for (int i = 1; i <= 2000; i += 50) {
      List<EventRing.Entry> batch = new ArrayList<>();
      for (int j = i; j < i + 50; j++) {
        batch.add(entry(j, false));
      }
      assertInstanceOf(Publisher.Published.class, publisher.publish(Optional.empty(), batch));
    }

    JsonNode ring = ring();
    JsonNode entries = ring.get("entries");
    assertEquals(EventRing.MAX_ENTRIES, entries.size(), "by count");
    assertEquals(2000, entries.get(entries.size() - 1).get("seq").asLong(), "the newest kept");
    assertEquals(2000 - EventRing.MAX_ENTRIES + 1, entries.get(0).get("seq").asLong());
    assertTrue(Files.size(published) <= EventRing.MAX_BYTES, "bytes: " + Files.size(published));
    assertEquals("guesthook-events", ring.get("format").asText());
    assertEquals("pve1", ring.get("node").asText());
    Path local = pve1.resolve("var/lib/guesthook/cluster/events.jsonl");
    assertTrue(Files.size(local) <= 5L * EventRing.MAX_BYTES, "this node's copy is cut back too");
  }

  @Test
  void wordyEntriesAreBoundedByBytesBeforeCount() throws Exception {
    List<EventRing.Entry> flood = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      flood.add(entry(i, true));
    }
    publisher.publish(Optional.empty(), flood);

    JsonNode entries = ring().get("entries");
    assertTrue(entries.size() < EventRing.MAX_ENTRIES, "by bytes: " + entries.size());
    assertTrue(entries.size() >= 10, "a ring still: " + entries.size());
    assertTrue(Files.size(published) <= EventRing.MAX_BYTES, "bytes: " + Files.size(published));
    assertEquals(300, entries.get(entries.size() - 1).get("seq").asLong(), "the newest kept");
  }

  @Test
  void anEntrysLineIsWhatTheReaderTakesBack() throws Exception {
    EventRing.Entry entry =
        new EventRing.Entry(
            7,
            NOW.toString(),
            501,
            "pre-start",
            "incoming-migration",
            "pve1",
            "ok",
            12,
            List.of(new EventRing.HookRun("sriov-vf", "ok", 3)),
            new EventRing.Changes(1, 0, List.of("made: write /sys/x \"quoted\"")));
    String line = EventLog.line(entry);

    assertEquals(Json.MAPPER.writeValueAsString(entry), line, "as Jackson writes the record");
    assertEquals(entry, ClusterEvents.entry(Json.MAPPER.readTree(line)).orElseThrow());
    assertEquals(7, EventLog.lastSeq(List.of(line)));
  }

  /**
   * A line cut by a full disk: the next entries start on a line of their own, and the published
   * ring stays JSON with them (find07).
   */
  @Test
  void aLineCutByAFullDiskLeavesTheNextEntriesWholeAndTheRingJson() throws Exception {
    publisher.publish(Optional.empty(), List.of(entry(1, false)));
    String cut = EventLog.line(entry(2, false).numbered(2));
    Files.writeString(local(), cut.substring(0, cut.length() / 2), StandardOpenOption.APPEND);

    publisher.publish(Optional.empty(), List.of(entry(3, false)));
    publisher.publish(Optional.empty(), List.of(entry(4, false)));

    JsonNode entries = ring().get("entries");
    assertEquals(3, entries.size(), entries::toString);
    assertEquals("2026-12-06T10:00:03Z", entries.get(1).get("time").asText());
    assertEquals("2026-12-06T10:00:04Z", entries.get(2).get("time").asText());
  }

  /** A line merged from a cut one and a whole one (as before this was kept) is never published. */
  @Test
  void aMergedLineIsNotPublished() throws Exception {
    publisher.publish(Optional.empty(), List.of(entry(1, false)));
    String cut = EventLog.line(entry(2, false).numbered(2));
    String whole = EventLog.line(entry(3, false).numbered(3));
    Files.writeString(
        local(), cut.substring(0, cut.length() / 2) + whole + "\n", StandardOpenOption.APPEND);

    publisher.publish(Optional.empty(), List.of(entry(4, false)));

    JsonNode entries = ring().get("entries");
    assertEquals(2, entries.size(), entries::toString);
    assertEquals("2026-12-06T10:00:04Z", entries.get(1).get("time").asText());
  }

  private Path local() {
    return pve1.resolve("var/lib/guesthook/cluster/events.jsonl");
  }

  @Test
  void eventsWithoutQuorumArePublishedOnceItIsBack() throws Exception {
    publisher.publish(Optional.empty(), List.of(entry(1, false)));
    ClusterSandbox.setQuorum(cluster, List.of("pve1"), false);

    Publisher.Outcome paused = publisher.publish(Optional.empty(), List.of(entry(2, false)));

    assertEquals("EACCES", assertInstanceOf(Publisher.Paused.class, paused).errno());
    assertEquals(1, ring().get("entries").size(), "nothing written without quorum");
    ClusterSandbox.setQuorum(cluster, List.of("pve1"), true);
    publisher.publish(Optional.empty(), List.of(entry(3, false)));
    JsonNode entries = ring().get("entries");
    assertEquals(3, entries.size(), "the one noted without quorum is there: " + entries);
    assertEquals(2, entries.get(1).get("seq").asLong());
  }

  @Test
  void theReaderTakesAPublishedRingWithTheNodesAge() throws Exception {
    publisher.publish(Optional.empty(), List.of(entry(1, false), entry(2, false)));

    ClusterEvents.View view =
        ClusterEvents.read(
            cluster.resolve("nodes/pve2"),
            "pve2",
            Clock.fixed(NOW.plusSeconds(30), ZoneOffset.UTC),
            Duration.ofSeconds(180));

    ClusterEvents.NodeEvents pve1Events = view.nodes().get(0);
    assertEquals("pve1", pve1Events.node());
    assertEquals(2, pve1Events.entries().size());
    assertEquals(Duration.ofSeconds(30), pve1Events.age().orElseThrow());
    assertEquals(
        List.of(1L, 2L),
        ClusterEvents.merged(view, java.util.Optional.empty()).stream()
            .map(p -> p.entry().seq())
            .toList());
  }
}
