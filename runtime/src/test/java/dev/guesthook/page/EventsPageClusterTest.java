package dev.guesthook.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.cluster.ClusterEvents;
import dev.guesthook.cluster.EventRing;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The cluster's published rings as the page's source: each entry a page event naming its node, a
 * migration one story in its guest's timeline, each node's state said, the same bound.
 */
class EventsPageClusterTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  private static EventRing.Entry entry(
      long seq,
      Instant time,
      int vmid,
      String phase,
      String migratedFrom,
      String outcome,
      EventRing.Changes changes) {
    return new EventRing.Entry(
        seq,
        time.toString(),
        vmid,
        phase,
        phase.equals("reconcile") ? "periodic" : "start",
        migratedFrom,
        outcome,
        40,
        phase.equals("reconcile")
            ? List.of()
            : List.of(
                new EventRing.HookRun("sriov-vf", outcome.equals("ok") ? "ok" : "failed", 30)),
        changes);
  }

  private static ClusterEvents.NodeEvents node(String name, List<EventRing.Entry> entries) {
    return new ClusterEvents.NodeEvents(
        name, entries, Optional.of(Duration.ofSeconds(5)), false, Optional.empty(), 0);
  }

  private static ClusterEvents.View view(ClusterEvents.NodeEvents... nodes) {
    return new ClusterEvents.View(
        "pve3", Optional.of(true), Duration.ofSeconds(180), List.of(nodes), List.of());
  }

  private static final EventRing.Changes MADE =
      new EventRing.Changes(6, 0, List.of("made: write /sys/x", "made: run ip link set"));

  @Test
  void eachRingEntryIsAPageEventOfItsNode() {
    EventRing.Changes undone = new EventRing.Changes(2, 2, List.of("undone: claim 0000:03:02.1"));
    ClusterEvents.View view =
        view(
            node(
                "pve1",
                List.of(
                    entry(1, T0, 101, "pre-start", null, "aborted", undone),
                    entry(2, T0.plusSeconds(60), 102, "reconcile", null, "ok", undone))),
            node(
                "pve2", List.of(entry(1, T0.plusSeconds(30), 101, "pre-start", null, "ok", MADE))));

    EventsPage page = ClusterSource.page(view, Optional.empty(), List.of(), T0);

    List<PageEvent> vm101 = page.guest(101).orElseThrow().events();
    assertEquals(List.of("pve1", "pve2"), vm101.stream().map(PageEvent::node).toList());
    PageEvent aborted = vm101.get(0);
    assertTrue(aborted.failed() && aborted.rolledBack(), "a pre-start whose changes were undone");
    assertEquals("sriov-vf", aborted.hooks().get(0).name());
    assertEquals(30, aborted.hooks().get(0).durationMs());
    assertEquals(
        new PageEvent.Changes(2, 2, List.of("undone: claim 0000:03:02.1")), aborted.changes());
    PageEvent reconcile = page.guest(102).orElseThrow().events().get(0);
    assertFalse(reconcile.rolledBack(), "a reconcile that put devices back rolled nothing back");
    String html = HtmlPage.render(page);
    assertTrue(html.contains("data-check=\"mark:101:0:failed\""), html);
    assertTrue(html.contains("data-check=\"node:101:1:pve2\""), html);
    assertTrue(html.contains("host changes: 6 made, 0 undone"), html);
    assertTrue(html.contains("<li>… and 4 more change(s)</li>"), html);
    assertTrue(html.contains("aborted, rolled back"), html);
  }

  @Test
  void aMigrationIsOneStoryInItsGuestsTimeline() {
    ClusterEvents.View view =
        view(
            node(
                "pve1",
                List.of(
                    entry(1, T0, 501, "pre-start", null, "ok", MADE),
                    entry(2, T0.plusSeconds(90), 501, "reconcile", null, "ok", MADE))),
            node(
                "pve2",
                List.of(
                    entry(1, T0.plusSeconds(60), 501, "pre-start", "pve1", "ok", MADE),
                    entry(2, T0.plusSeconds(61), 501, "post-start", "pve1", "ok", MADE))));

    EventsPage page = ClusterSource.page(view, Optional.empty(), List.of(), T0);

    EventsPage.GuestTimeline vm501 = page.guest(501).orElseThrow();
    assertEquals(4, vm501.events().size());
    assertEquals(1, vm501.migrations().size());
    EventsPage.Migration story = vm501.migrations().get(0);
    assertEquals("VM 501 migrated pve1 -> pve2 at " + T0.plusSeconds(60), story.heading());
    assertEquals(
        List.of("pve2 pre-start", "pve2 post-start", "pve1 reconcile"),
        story.steps().stream().map(e -> e.node() + " " + e.phase()).toList());
    assertEquals(
        List.of("event", "migration"),
        vm501.items().stream()
            .map(i -> i instanceof EventsPage.Migration ? "migration" : "event")
            .toList());
    String html = HtmlPage.render(page);
    assertEquals(1, html.split("data-check=\"story:501:", -1).length - 1, html);
    assertTrue(html.contains("<h3>VM 501 migrated pve1 -&gt; pve2 at "), html);
  }

  @Test
  void eachNodesStateIsSaidAndAStaleOneNamedWithWhy() {
    ClusterEvents.NodeEvents bad =
        new ClusterEvents.NodeEvents(
            "pve2",
            List.of(),
            Optional.of(Duration.ofSeconds(400)),
            true,
            Optional.of("/etc/pve/nodes/pve2/guesthook/events.json: a symbolic link; not followed"),
            0);
    ClusterEvents.View view =
        new ClusterEvents.View(
            "pve3",
            Optional.of(false),
            Duration.ofSeconds(180),
            List.of(node("pve1", List.of(entry(1, T0, 101, "pre-start", null, "ok", MADE))), bad),
            List.of("/etc/pve/nodes/x_y: not a node name; skipped"));

    String html = HtmlPage.render(ClusterSource.page(view, Optional.empty(), List.of(), T0));

    assertTrue(
        html.contains(
            "events of 2 node(s) as seen from pve3 (NO QUORUM: /etc/pve read-only); data older than 180 s is stale"),
        html);
    assertTrue(html.contains("<li>pve1: 1 event(s), data 5 s old</li>"), html);
    assertTrue(
        html.contains(
            "<li class=\"stale\">pve2: STALE: 0 event(s), data 400 s old;"
                + " /etc/pve/nodes/pve2/guesthook/events.json: a symbolic link; not followed</li>"),
        html);
    assertTrue(
        html.contains(
            "<li class=\"stale\">problem: /etc/pve/nodes/x_y: not a node name; skipped</li>"),
        html);
    assertTrue(html.contains("data-check=\"node:101:0:pve1\""), "pve1 is drawn: " + html);
  }

  @Test
  void aLargeClusterIsCutToTheNewestAndThePageSaysSo() {
    List<ClusterEvents.NodeEvents> nodes = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      List<EventRing.Entry> entries = new ArrayList<>();
      for (int i = 1; i <= EventRing.MAX_ENTRIES; i++) {
        Instant at = T0.plusSeconds(i * 10L + n);
        entries.add(entry(i, at, 100 + n, "post-start", null, "ok", MADE));
      }
      nodes.add(node("pve" + n, entries));
    }
    ClusterEvents.View view = view(nodes.toArray(ClusterEvents.NodeEvents[]::new));

    EventsPage page = ClusterSource.page(view, Optional.empty(), List.of(), T0);

    assertEquals(EventsPage.MAX_EVENTS, page.shownEvents());
    assertEquals(5L * EventRing.MAX_ENTRIES - EventsPage.MAX_EVENTS, page.leftOut());
    assertTrue(HtmlPage.render(page).contains("140 older event(s) left out"));
  }

  @Test
  void aStoryWhoseStepsWereAllCutIsNotDrawn() {
    PageEvent old =
        new PageEvent(
            "pve2",
            501,
            "pre-start",
            "start",
            T0,
            "ok",
            Optional.of("pve1"),
            List.of(),
            PageEvent.Changes.NONE);
    PageEvent newer =
        new PageEvent(
            "pve2",
            502,
            "pre-start",
            "start",
            T0.plusSeconds(1),
            "ok",
            Optional.empty(),
            List.of(),
            PageEvent.Changes.NONE);
    EventsPage.Migration story = new EventsPage.Migration(501, "pve1", "pve2", T0, List.of(old));

    EventsPage page = EventsPage.of("c", T0, List.of(old, newer), List.of(story), List.of(), 1);

    assertEquals(List.of(502), page.guests().stream().map(EventsPage.GuestTimeline::vmid).toList());
    assertEquals(1, page.leftOut());
  }
}
