package dev.guesthook.page;

import dev.guesthook.cluster.ClusterEvents;
import dev.guesthook.cluster.ClusterView;
import dev.guesthook.cluster.MigrationStories;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The page's second source: every node's published ring (what {@code events --cluster} reads),
 * merged by time, a migration told as {@link MigrationStories} tells it, each node's state said.
 * The stories are found among all the entries, then the page keeps the newest {@link
 * EventsPage#MAX_EVENTS} as for recordings.
 */
public final class ClusterSource {
  private ClusterSource() {}

  /** The page of {@code view} (only {@code vmid}'s events when given) with the nodes' capacity. */
  public static EventsPage page(
      ClusterEvents.View view, Optional<Integer> vmid, List<NodeCapacity> capacity, Instant made) {
    List<ClusterEvents.Placed> merged = ClusterEvents.merged(view, vmid);
    // The newest first, as the page keeps them: finding stories costs each story a pass over the
    // events, so only what is drawn is searched (a migration cut in two keeps its newer part).
    List<ClusterEvents.Placed> newest =
        merged.subList(Math.max(0, merged.size() - EventsPage.MAX_EVENTS), merged.size());
    Map<ClusterEvents.Placed, PageEvent> events = new LinkedHashMap<>();
    newest.forEach(placed -> events.put(placed, PageEvent.of(placed)));
    List<EventsPage.Migration> migrations =
        MigrationStories.group(newest).stream()
            .filter(MigrationStories.Story.class::isInstance)
            .map(MigrationStories.Story.class::cast)
            .map(story -> migration(story, events))
            .toList();
    EventsPage page =
        EventsPage.of(
            "the cluster, as " + view.self() + " reads it",
            made,
            List.copyOf(events.values()),
            migrations,
            capacity,
            EventsPage.MAX_EVENTS);
    return page.withCluster(nodes(view), merged.size() - newest.size());
  }

  private static EventsPage.Migration migration(
      MigrationStories.Story story, Map<ClusterEvents.Placed, PageEvent> events) {
    return new EventsPage.Migration(
        story.vmid(),
        story.from(),
        story.to(),
        Instant.parse(story.at()),
        story.steps().stream().map(events::get).toList());
  }

  private static EventsPage.Cluster nodes(ClusterEvents.View view) {
    return new EventsPage.Cluster(
        ClusterView.headline(
            "events", view.nodes().size(), view.self(), view.quorate(), view.staleAfter()),
        view.nodes().stream()
            .map(n -> new EventsPage.NodeEvents(n.node(), n.stale(), n.summary()))
            .toList(),
        view.problems());
  }
}
