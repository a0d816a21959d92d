package dev.guesthook.page;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The page as text: everything a recording says stays text, and a big history is cut and said. */
class HtmlPageTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");

  private static PageEvent event(int vmid, Instant time, String hookName, String message) {
    return new PageEvent(
        "pve1",
        vmid,
        "pre-start",
        "start",
        time,
        "failed",
        Optional.empty(),
        List.of(
            new PageEvent.Hook(
                hookName,
                "failed",
                12,
                message,
                List.of("write /sys/x <b>"),
                0,
                List.of(new PageEvent.Undo("undo <i>", false, "<u>gone</u>")))),
        PageEvent.Changes.NONE);
  }

  @Test
  void aScriptInAHookNameOrMessageStaysText() {
    String evil = "<script>alert('x')</script>";
    EventsPage page =
        EventsPage.of(
            "pve1 & <friends>",
            T0,
            List.of(event(101, T0, evil, "msg " + evil + " \"quoted\" & more")),
            List.of());

    String html = HtmlPage.render(page);

    assertFalse(html.contains(evil), html);
    assertFalse(html.contains("<b>") || html.contains("<i>") || html.contains("<u>"), html);
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), html);
    assertTrue(html.contains("pve1 &amp; &lt;friends&gt;"), html);
    assertTrue(html.contains("&quot;quoted&quot; &amp; more"), html);
    assertEquals(1, html.split("<script>", -1).length - 1, "only the page's own script");
  }

  @Test
  void manyEventsAreCutToTheNewestAndThePageSaysSo() {
    EventsPage.Newest newest = new EventsPage.Newest(EventsPage.MAX_EVENTS);
    for (int i = 0; i < 2000; i++) {
      newest.add(event(100 + i % 7, T0.plusSeconds(i), "h", "m"));
    }

    EventsPage page = newest.page("pve1", T0, List.of());

    assertEquals(EventsPage.MAX_EVENTS, page.shownEvents());
    assertEquals(1500, page.leftOut());
    assertEquals(
        T0.plusSeconds(1500),
        page.guests().stream()
            .flatMap(g -> g.events().stream())
            .map(PageEvent::time)
            .min(Instant::compareTo)
            .orElseThrow());
    assertTrue(HtmlPage.render(page).contains("1500 older event(s) left out"));
  }

  @Test
  void aLongMessageIsCut() {
    String longText = "x".repeat(10_000);
    EventsPage page = EventsPage.of("pve1", T0, List.of(event(101, T0, "h", longText)), List.of());

    assertTrue(HtmlPage.render(page).length() < 20_000);
  }

  @Test
  void hooksShareTheTimelineByDuration() {
    List<PageEvent.Hook> hooks = new ArrayList<>();
    hooks.add(new PageEvent.Hook("fast", "ok", 10, "", List.of(), 0, List.of()));
    hooks.add(new PageEvent.Hook("slow", "ok", 990, "", List.of(), 0, List.of()));
    PageEvent one =
        new PageEvent(
            "pve1",
            101,
            "pre-start",
            "start",
            T0,
            "ok",
            Optional.empty(),
            hooks,
            PageEvent.Changes.NONE);

    String html = HtmlPage.render(EventsPage.of("pve1", T0, List.of(one), List.of()));

    assertTrue(html.contains("data-check=\"bar:101:0:0:ok\" x=\"0.0\""), html);
    // the slow hook starts after the fast one's 4 px minimum plus its 1% share of the rest
    assertTrue(html.contains("data-check=\"bar:101:0:1:ok\" x=\"11.5\""), html);
  }
}
