package dev.guesthook.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guesthook.cluster.ClusterEvents;
import dev.guesthook.cluster.ClusterView;
import dev.guesthook.cluster.EventRing;
import dev.guesthook.cluster.MigrationStories;
import dev.guesthook.json.Json;
import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code events --cluster} as a person reads it (one line per event with its node, a migration as a
 * heading with its steps under it) and as {@code --json} gives it.
 */
final class ClusterTimeline {
  private ClusterTimeline() {}

  /** Each node's state: how many events, how old its data, or what is wrong. */
  static void printNodes(PrintStream out, ClusterEvents.View view) {
    out.println(
        ClusterView.headline(
            "events", view.nodes().size(), view.self(), view.quorate(), view.staleAfter()));
    for (ClusterEvents.NodeEvents node : view.nodes()) {
      out.println(node.node() + "  " + node.summary());
    }
    view.problems().forEach(problem -> out.println("problem: " + problem));
  }

  static void printItems(PrintStream out, List<MigrationStories.Item> items) {
    for (MigrationStories.Item item : items) {
      if (item instanceof MigrationStories.Story story) {
        out.println(story.heading());
        story.steps().forEach(step -> out.println("  " + line(step)));
      } else if (item instanceof MigrationStories.Single single) {
        out.println(line(single.event()));
      }
    }
  }

  /** One event: time, node, guest, phase and situation, outcome and duration, hooks, changes. */
  static String line(ClusterEvents.Placed placed) {
    EventRing.Entry e = placed.entry();
    StringBuilder out =
        new StringBuilder(
            e.time()
                + "  "
                + placed.node()
                + "  VM "
                + e.vmid()
                + " "
                + e.phase()
                + " ("
                + e.situation()
                + (e.migratedFrom() == null ? "" : " from " + e.migratedFrom())
                + "): "
                + e.outcome()
                + " in "
                + e.durationMs()
                + " ms");
    if (!e.hooks().isEmpty()) {
      out.append("; ")
          .append(
              e.hooks().stream()
                  .map(h -> h.name() + " " + h.outcome() + " " + h.durationMs() + " ms")
                  .collect(Collectors.joining(", ")));
    }
    EventRing.Changes c = e.changes();
    if (c.made() > 0 || c.undone() > 0) {
      out.append("; changes made ").append(c.made()).append(", undone ").append(c.undone());
      if (!c.shown().isEmpty()) {
        out.append(" (").append(String.join(", ", c.shown()));
        out.append(c.shown().size() < c.made() + c.undone() ? ", ...)" : ")");
      }
    }
    return out.toString();
  }

  /** The whole view: nodes, the timeline (migrations grouped) and problems. */
  static ObjectNode json(ClusterEvents.View view, List<MigrationStories.Item> items) {
    ObjectNode root =
        ClusterCommand.header(view.self(), view.quorate(), view.staleAfter(), EventRing.FILE);
    ArrayNode nodes = root.putArray("nodes");
    for (ClusterEvents.NodeEvents node : view.nodes()) {
      ObjectNode n = nodes.addObject();
      n.put("node", node.node());
      n.put("stale", node.stale());
      node.age().ifPresent(age -> n.put("ageSeconds", age.toSeconds()));
      n.put("events", node.entries().size());
      node.problem().ifPresent(problem -> n.put("problem", problem));
    }
    ArrayNode events = root.putArray("events");
    for (MigrationStories.Item item : items) {
      if (item instanceof MigrationStories.Story story) {
        ObjectNode s = migration(story);
        ArrayNode steps = s.putArray("steps");
        story.steps().forEach(step -> steps.add(event(step)));
        events.add(s);
      } else if (item instanceof MigrationStories.Single single) {
        events.add(event(single.event()));
      }
    }
    ArrayNode problems = root.putArray("problems");
    view.problems().forEach(problems::add);
    return root;
  }

  /**
   * A migration's heading as JSON: {@code type}, {@code vmid}, {@code from}, {@code to}, {@code
   * at}.
   */
  static ObjectNode migration(MigrationStories.Story story) {
    ObjectNode s = Json.MAPPER.createObjectNode();
    s.put("type", "migration");
    s.put("vmid", story.vmid());
    s.put("from", story.from());
    s.put("to", story.to());
    s.put("at", story.at());
    return s;
  }

  /** An event as JSON: its node, then the entry's fields. */
  static ObjectNode event(ClusterEvents.Placed placed) {
    ObjectNode e = Json.MAPPER.createObjectNode();
    e.put("type", "event");
    e.put("node", placed.node());
    e.setAll((ObjectNode) Json.MAPPER.valueToTree(placed.entry()));
    return e;
  }
}
