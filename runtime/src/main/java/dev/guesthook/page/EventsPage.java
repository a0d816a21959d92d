package dev.guesthook.page;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * What the page shows: each guest's events in time order, each node's capacity, and what was left
 * out. Bounded: at most {@link #MAX_EVENTS} events (the newest), so a node with years of recordings
 * still gets a page a browser opens; the page says how many were left out.
 */
public record EventsPage(
    String title,
    Instant made,
    List<GuestTimeline> guests,
    List<NodeCapacity> capacity,
    long shownEvents,
    long leftOut) {
  public static final int MAX_EVENTS = 500;

  /** One guest's events, oldest first. */
  public record GuestTimeline(int vmid, List<PageEvent> events) {}

  /**
   * The page from events in any order: the newest {@code limit} are kept, grouped by guest.
   *
   * @param source what the events came from, for the title (this node, the cluster)
   */
  public static EventsPage of(
      String source, Instant made, List<PageEvent> events, List<NodeCapacity> capacity, int limit) {
    List<PageEvent> newest =
        events.stream()
            .sorted(Comparator.comparing(PageEvent::time).reversed())
            .limit(Math.max(0, limit))
            .toList();
    Map<Integer, List<PageEvent>> byGuest = new TreeMap<>();
    for (PageEvent event : newest) {
      byGuest.computeIfAbsent(event.vmid(), vmid -> new ArrayList<>()).add(event);
    }
    List<GuestTimeline> guests = new ArrayList<>();
    byGuest.forEach(
        (vmid, its) ->
            guests.add(
                new GuestTimeline(
                    vmid, its.stream().sorted(Comparator.comparing(PageEvent::time)).toList())));
    return new EventsPage(
        "guesthook events: " + source,
        made,
        List.copyOf(guests),
        List.copyOf(capacity),
        newest.size(),
        events.size() - newest.size());
  }

  /**
   * Keeps the newest events as they are read, never more than its limit in memory, and counts the
   * rest: recordings can hold far more than a page shows.
   */
  public static final class Newest {
    private final int limit;
    private final PriorityQueue<PageEvent> kept =
        new PriorityQueue<>(Comparator.comparing(PageEvent::time));
    private long seen;

    public Newest(int limit) {
      this.limit = Math.max(0, limit);
    }

    public void add(PageEvent event) {
      seen++;
      kept.add(event);
      if (kept.size() > limit) {
        kept.poll();
      }
    }

    /** The page of the events kept, saying how many were left out. */
    public EventsPage page(String source, Instant made, List<NodeCapacity> capacity) {
      EventsPage page = of(source, made, List.copyOf(kept), capacity, limit);
      return new EventsPage(
          page.title(),
          made,
          page.guests(),
          page.capacity(),
          page.shownEvents(),
          seen - page.shownEvents());
    }
  }

  /** The page with the default bound. */
  public static EventsPage of(
      String source, Instant made, List<PageEvent> events, List<NodeCapacity> capacity) {
    return of(source, made, events, capacity, MAX_EVENTS);
  }

  /** A guest's timeline, if the page has it. */
  public Optional<GuestTimeline> guest(int vmid) {
    return guests.stream().filter(g -> g.vmid() == vmid).findFirst();
  }
}
