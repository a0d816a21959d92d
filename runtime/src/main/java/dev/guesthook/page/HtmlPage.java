package dev.guesthook.page;

import dev.guesthook.cluster.NodeReport;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws an {@link EventsPage} as one HTML document that needs nothing from elsewhere: inline CSS,
 * inline SVG, no fonts, no images. Every text from a recording or a node (hook names, messages,
 * device names) is escaped. The one script only tells a checker where each mark landed ({@code
 * data-layout} on the body); its hash is the page's only allowed script (Content-Security-Policy),
 * so even a text that slipped past escaping could not run.
 */
public final class HtmlPage {
  /** Width of a timeline, in CSS pixels: the hooks of an event share it by their durations. */
  static final int TIMELINE_WIDTH = 760;

  static final int BAR_HEIGHT = 18;
  static final int MIN_BAR = 4;
  static final int CAPACITY_WIDTH = 240;

  /** Colours a person reads at a glance; the browser test looks for them too. */
  static final String OK = "#2e7d32";

  static final String FAILED = "#c62828";
  static final String TIMED_OUT = "#ef6c00";
  static final String SKIPPED = "#b0b0b0";
  static final String MARK = "#d50000";
  static final String FREE = "#43a047";
  static final String USED = "#546e7a";
  static final String STORY = "#1565c0";

  private static final String LAYOUT_SCRIPT =
      "(function(){var o=[];document.querySelectorAll('[data-check]').forEach(function(e){"
          + "var r=e.getBoundingClientRect();o.push({check:e.getAttribute('data-check'),"
          + "x:Math.round(r.left+scrollX),y:Math.round(r.top+scrollY),"
          + "w:Math.round(r.width),h:Math.round(r.height)})});"
          + "document.body.setAttribute('data-layout',JSON.stringify(o))})();";

  private static final String STYLE =
      "body{font:14px/1.4 sans-serif;margin:16px;color:#212121;background:#fff}"
          + "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 6px;"
          + "border-bottom:1px solid #ddd}h3{font-size:14px;margin:12px 0 4px}"
          + ".note{color:#555}.event{margin:6px 0 10px;padding:4px 0}"
          + ".head{display:flex;gap:8px;align-items:center}.time{font-family:monospace}"
          + ".outcome-ok{color:"
          + OK
          + "}.outcome-bad{color:"
          + FAILED
          + ";font-weight:bold}"
          + "svg{display:block}ul{margin:2px 0 2px 20px;padding:0}li{font-size:13px}"
          + ".changes li{font-family:monospace;font-size:12px}.undo li{color:#6a1b9a}"
          + "table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left;font-size:13px}"
          + ".stale{color:"
          + FAILED
          + "}.legend span{margin-right:12px}"
          + ".sw{display:inline-block;width:12px;height:12px;vertical-align:middle;margin-right:4px}"
          + ".node{font-family:monospace;padding:0 4px;border:1px solid #90a4ae;border-radius:3px}"
          + ".story{border-left:4px solid "
          + STORY
          + ";padding:2px 0 2px 10px;margin:8px 0}.story h3{color:"
          + STORY
          + "}";

  private HtmlPage() {}

  public static String render(EventsPage page) {
    StringBuilder out = new StringBuilder(64 * 1024);
    out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    out.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
        .append("style-src 'unsafe-inline'; script-src '")
        .append(sha256(LAYOUT_SCRIPT))
        .append("'\">");
    out.append("<title>").append(Html.text(page.title())).append("</title>");
    out.append("<style>").append(STYLE).append("</style></head><body>\n");
    out.append("<h1>").append(Html.text(page.title())).append("</h1>");
    out.append("<p class=\"note\">made ").append(Html.text(page.made().toString()));
    out.append("; ").append(page.shownEvents()).append(" event(s) of ");
    out.append(page.guests().size()).append(" guest(s)");
    if (page.leftOut() > 0) {
      out.append("; <strong>")
          .append(page.leftOut())
          .append(" older event(s) left out</strong> (the newest ")
          .append(page.shownEvents())
          .append(" are shown: give --vmid to see one guest's)");
    }
    out.append("</p>\n");
    legend(out);
    page.cluster().ifPresent(cluster -> nodes(out, cluster));
    capacity(out, page.capacity());
    out.append("<h2 id=\"timelines\">Timelines</h2>\n");
    if (page.guests().isEmpty()) {
      out.append("<p class=\"note\">no recorded events</p>\n");
    }
    for (EventsPage.GuestTimeline guest : page.guests()) {
      guest(out, guest);
    }
    out.append("<script>").append(LAYOUT_SCRIPT).append("</script>\n</body></html>\n");
    return out.toString();
  }

  private static void legend(StringBuilder out) {
    out.append("<p class=\"legend\">");
    for (String[] item :
        List.of(
            new String[] {OK, "hook ok"},
            new String[] {FAILED, "hook failed"},
            new String[] {TIMED_OUT, "hook timed out"},
            new String[] {SKIPPED, "hook skipped"},
            new String[] {MARK, "phase failed or rolled back"})) {
      out.append("<span><i class=\"sw\" style=\"background:")
          .append(item[0])
          .append("\"></i>")
          .append(item[1])
          .append("</span>");
    }
    out.append("</p>\n");
  }

  /** Each node's published events: stale or unreadable ones in red, saying why. */
  private static void nodes(StringBuilder out, EventsPage.Cluster cluster) {
    out.append("<h2 id=\"nodes\">Nodes</h2>\n<p class=\"note\">")
        .append(Html.text(cluster.headline()))
        .append("</p>\n<ul>");
    for (EventsPage.NodeEvents node : cluster.nodes()) {
      out.append(node.stale() ? "<li class=\"stale\">" : "<li>")
          .append(Html.text(node.node() + ": " + node.summary()))
          .append("</li>");
    }
    cluster
        .problems()
        .forEach(
            p -> out.append("<li class=\"stale\">problem: ").append(Html.text(p)).append("</li>"));
    out.append("</ul>\n");
  }

  private static void capacity(StringBuilder out, List<NodeCapacity> nodes) {
    out.append("<h2 id=\"capacity\">Capacity</h2>\n");
    if (nodes.isEmpty()) {
      out.append("<p class=\"note\">no capacity known</p>\n");
    }
    for (NodeCapacity node : nodes) {
      out.append("<h3>").append(Html.text(node.node()));
      node.age()
          .ifPresent(
              age ->
                  out.append(node.stale() ? " <span class=\"stale\">" : " <span class=\"note\">")
                      .append("(")
                      .append(node.stale() ? "stale: " : "")
                      .append(ago(age))
                      .append(")</span>"));
      out.append("</h3>\n");
      node.problem()
          .ifPresent(p -> out.append("<p class=\"stale\">").append(Html.text(p)).append("</p>\n"));
      node.capacity().ifPresent(c -> slots(out, node.node(), c));
    }
  }

  private static void slots(StringBuilder out, String node, NodeReport.Capacity capacity) {
    out.append(
        "<table><tr><th>class</th><th>device</th><th>type</th><th>free</th><th></th></tr>\n");
    for (NodeReport.Slot slot : capacity.slots()) {
      out.append("<tr><td>").append(slot.kind()).append("</td><td>");
      out.append(Html.text(slot.device())).append("</td><td>").append(Html.text(slot.type()));
      out.append("</td><td>").append(slot.free()).append('/').append(slot.total());
      out.append("</td><td>").append(capacityBar(node, slot)).append("</td></tr>\n");
    }
    out.append("<tr><td>vfio-pci</td><td colspan=\"4\">")
        .append(capacity.vfio().size())
        .append(" function(s)")
        .append(
            capacity.vfio().isEmpty() ? "" : ": " + Html.text(String.join(", ", capacity.vfio())))
        .append("</td></tr></table>\n");
  }

  /** Free in green from the left, used in grey after it: the green share is what is free. */
  private static String capacityBar(String node, NodeReport.Slot slot) {
    int total = Math.max(0, slot.total());
    int free = Math.max(0, Math.min(slot.free(), total));
    int freeWidth = total == 0 ? 0 : Math.round((float) CAPACITY_WIDTH * free / total);
    String check = "free:" + node + ":" + slot.device() + ":" + slot.type();
    StringBuilder svg = new StringBuilder();
    svg.append("<svg width=\"").append(CAPACITY_WIDTH).append("\" height=\"12\" role=\"img\">");
    svg.append("<rect x=\"0\" y=\"0\" width=\"").append(CAPACITY_WIDTH);
    svg.append("\" height=\"12\" fill=\"").append(USED).append("\"/>");
    if (freeWidth > 0) {
      svg.append("<rect data-check=\"")
          .append(Html.text(check))
          .append("\" x=\"0\" y=\"0\" width=\"");
      svg.append(freeWidth).append("\" height=\"12\" fill=\"").append(FREE).append("\"/>");
    }
    return svg.append("</svg>").toString();
  }

  /**
   * A guest's heading, then its events by time: a migration as a box with its heading and its
   * steps. Each event's id is its place among the guest's events, wherever it is drawn.
   */
  private static void guest(StringBuilder out, EventsPage.GuestTimeline guest) {
    out.append("<h2 id=\"vm-").append(guest.vmid()).append("\">VM ").append(guest.vmid());
    out.append("</h2>\n");
    Map<PageEvent, Integer> index = new IdentityHashMap<>();
    guest.events().forEach(e -> index.put(e, index.size()));
    int stories = 0;
    for (EventsPage.Item item : guest.items()) {
      if (item instanceof EventsPage.Migration story) {
        out.append("<div class=\"story\" data-check=\"story:")
            .append(guest.vmid())
            .append(':')
            .append(stories++)
            .append("\"><h3>")
            .append(Html.text(story.heading()))
            .append("</h3>\n");
        story.steps().forEach(e -> event(out, guest.vmid() + ":" + index.get(e), e));
        out.append("</div>\n");
      } else if (item instanceof EventsPage.Lone lone) {
        event(out, guest.vmid() + ":" + index.get(lone.event()), lone.event());
      }
    }
  }

  private static void event(StringBuilder out, String id, PageEvent event) {
    out.append("<div class=\"event\"><div class=\"head\">");
    out.append(mark(id, event));
    out.append("<span class=\"time\">")
        .append(Html.text(event.time().toString()))
        .append("</span>");
    out.append("<span class=\"node\" data-check=\"node:")
        .append(id)
        .append(':')
        .append(Html.text(event.node()))
        .append("\">")
        .append(Html.text(event.node()))
        .append("</span>");
    out.append("<strong>").append(Html.text(event.phase())).append("</strong>");
    out.append("<span class=\"note\">(").append(Html.text(event.situation())).append(")</span>");
    event
        .migratedFrom()
        .ifPresent(
            from -> out.append("<span>migrated from ").append(Html.text(from)).append("</span>"));
    out.append("<span class=\"")
        .append(event.failed() ? "outcome-bad" : "outcome-ok")
        .append("\">")
        .append(Html.text(event.outcome()))
        .append(event.rolledBack() ? ", rolled back" : "")
        .append("</span></div>\n");
    timeline(out, id, event);
    details(out, event);
    out.append("</div>\n");
  }

  /** A red square for a phase that failed or was rolled back, a green dot otherwise. */
  private static String mark(String id, PageEvent event) {
    boolean bad = event.failed() || event.rolledBack();
    String shape =
        bad
            ? "<rect x=\"0\" y=\"0\" width=\"14\" height=\"14\" fill=\"" + MARK + "\"/>"
            : "<circle cx=\"7\" cy=\"7\" r=\"5\" fill=\"" + OK + "\"/>";
    return "<svg width=\"14\" height=\"14\" role=\"img\" aria-label=\""
        + (bad ? "failed" : "ok")
        + "\" data-check=\"mark:"
        + id
        + ":"
        + (bad ? "failed" : "ok")
        + "\">"
        + shape
        + "</svg>";
  }

  /** The hooks one after the other, each as wide as its share of the event's time. */
  private static void timeline(StringBuilder out, String id, PageEvent event) {
    long total = event.hooks().stream().mapToLong(h -> Math.max(0, h.durationMs())).sum();
    double scale = (TIMELINE_WIDTH - (double) MIN_BAR * event.hooks().size()) / Math.max(1, total);
    out.append("<svg width=\"").append(TIMELINE_WIDTH).append("\" height=\"").append(BAR_HEIGHT);
    out.append("\" role=\"img\" aria-label=\"hooks by duration on ")
        .append(Html.text(event.node()))
        .append("\">");
    double x = 0;
    int index = 0;
    for (PageEvent.Hook hook : event.hooks()) {
      double width = MIN_BAR + Math.max(0, hook.durationMs()) * Math.max(0, scale);
      out.append("<rect data-check=\"bar:")
          .append(id)
          .append(':')
          .append(index++)
          .append(':')
          .append(Html.text(hook.outcome()))
          .append("\" x=\"")
          .append(number(x))
          .append("\" y=\"0\" width=\"")
          .append(number(Math.max(1, width - 1)))
          .append("\" height=\"")
          .append(BAR_HEIGHT)
          .append("\" fill=\"")
          .append(colour(hook.outcome()))
          .append("\"><title>")
          .append(Html.text(hook.name() + " " + hook.outcome() + " " + hook.durationMs() + " ms"))
          .append("</title></rect>");
      x += width;
    }
    out.append("</svg>\n");
  }

  /** Each hook that did something: its duration, its message, its host changes, its undo. */
  private static void details(StringBuilder out, PageEvent event) {
    out.append("<ul>");
    for (PageEvent.Hook hook : event.hooks()) {
      if (hook.outcome().equals("skipped") && hook.changes().isEmpty()) {
        continue;
      }
      out.append("<li><strong>").append(Html.text(hook.name())).append("</strong> ");
      out.append("<span class=\"")
          .append(hook.outcome().equals("ok") ? "outcome-ok" : "outcome-bad")
          .append("\">")
          .append(Html.text(hook.outcome()))
          .append("</span> ")
          .append(hook.durationMs())
          .append(" ms");
      if (!hook.message().isEmpty()) {
        out.append(": ").append(Html.text(hook.message()));
      }
      changes(out, hook);
      undo(out, hook);
      out.append("</li>");
    }
    eventChanges(out, event.changes());
    out.append("</ul>\n");
  }

  /** Changes told for the whole event (a node's ring counts them and names the first few). */
  private static void eventChanges(StringBuilder out, PageEvent.Changes changes) {
    if (!changes.any()) {
      return;
    }
    out.append("<li>host changes: ")
        .append(changes.made())
        .append(" made, ")
        .append(changes.undone())
        .append(" undone");
    moreChanges(out, changes.shown(), changes.more());
    out.append("</li>");
  }

  private static void changes(StringBuilder out, PageEvent.Hook hook) {
    moreChanges(out, hook.changes(), hook.moreChanges());
  }

  /** The changes named, and how many more there were. */
  private static void moreChanges(StringBuilder out, List<String> shown, long more) {
    if (shown.isEmpty()) {
      return;
    }
    out.append("<ul class=\"changes\">");
    shown.forEach(c -> out.append("<li>").append(Html.text(c)).append("</li>"));
    if (more > 0) {
      out.append("<li>… and ").append(more).append(" more change(s)</li>");
    }
    out.append("</ul>");
  }

  private static void undo(StringBuilder out, PageEvent.Hook hook) {
    if (hook.undo().isEmpty()) {
      return;
    }
    out.append("<ul class=\"undo\">");
    for (PageEvent.Undo step : hook.undo()) {
      out.append("<li>↶ rolled back: ").append(Html.text(step.description()));
      out.append(step.ok() ? " (ok)" : " (failed: " + Html.text(step.message()) + ")");
      out.append("</li>");
    }
    out.append("</ul>");
  }

  private static String colour(String outcome) {
    return switch (outcome) {
      case "ok" -> OK;
      case "failed" -> FAILED;
      case "timed-out" -> TIMED_OUT;
      default -> SKIPPED;
    };
  }

  private static String ago(Duration age) {
    long seconds = age.toSeconds();
    return seconds < 120 ? seconds + " s old" : seconds / 60 + " min old";
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.1f", value);
  }

  private static String sha256(String script) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(script.getBytes(StandardCharsets.UTF_8));
      return "sha256-" + Base64.getEncoder().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
