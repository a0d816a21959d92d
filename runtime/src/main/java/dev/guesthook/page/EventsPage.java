package dev.guesthook.page;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the page shows: each guest's events in time order (a migration's steps as one story), each
 * node's capacity, what was left out, and for the cluster's page each node's state. Bounded: at
 * most {@link #MAX_EVENTS} events (the newest), so a node with years of recordings or a cluster of
 * dozens of nodes still gets a page a browser opens; the page says how many were left out.
 */
public record EventsPage(
    String title,
    Instant made,
    List<GuestTimeline> guests,
    List<NodeCapacity> capacity,
    long shownEvents,
    long leftOut,
    Optional<Cluster> cluster) {
  public static final int MAX_EVENTS = 500;

  /** A guest's timeline is events, some of them told together as a migration. */
  public sealed interface Item {
    Instant time();
  }

  /** An event that is part of no migration. */
  public record Lone(PageEvent event) implements Item {
    public Instant time() {
      return event.time();
    }
  }

  /**
   * Guest {@code vmid} moved from node {@code from} to {@code to}, its target starting {@code at};
   * {@code steps} are the source's end of it and the target's start (events of the timeline).
   */
  public record Migration(int vmid, String from, String to, Instant at, List<PageEvent> steps)
      implements Item {
    public Migration {
      steps = List.copyOf(steps);
    }

    public Instant time() {
      return at;
    }

    /** The heading a person reads, as {@code events --cluster} prints it. */
    public String heading() {
      return "VM " + vmid + " migrated " + from + " -> " + to + " at " + at;
    }
  }

  /** One guest's events, oldest first, and the migrations some of them tell. */
  public record GuestTimeline(int vmid, List<PageEvent> events, List<Migration> migrations) {
    public GuestTimeline(int vmid, List<PageEvent> events) {
      this(vmid, events, List.of());
    }

    /** By time: each migration at its target's start with its steps, every other event alone. */
    public List<Item> items() {
      Set<PageEvent> told = Collections.newSetFromMap(new IdentityHashMap<>());
      migrations.forEach(m -> told.addAll(m.steps()));
      List<Item> items = new ArrayList<>(migrations);
      events.stream().filter(e -> !told.contains(e)).forEach(e -> items.add(new Lone(e)));
      items.sort(Comparator.comparing(Item::time));
      return items;
    }
  }

  /**
   * The cluster's page: its headline (how many nodes, read by whom, quorum, when data is stale),
   * each node's state, and what could not be read at all.
   */
  public record Cluster(String headline, List<NodeEvents> nodes, List<String> problems) {}

  /** A node's published events as a person reads their state: stale or not, count, age, why. */
  public record NodeEvents(String node, boolean stale, String summary) {}

  /**
   * The page from events in any order: the newest {@code limit} are kept, grouped by guest. A
   * migration keeps the steps that are kept, and is left out when none is.
   *
   * @param source what the events came from, for the title (this node, the cluster)
   */
  public static EventsPage of(
      String source,
      Instant made,
      List<PageEvent> events,
      List<Migration> migrations,
      List<NodeCapacity> capacity,
      int limit) {
    List<PageEvent> newest =
        events.stream()
            .sorted(Comparator.comparing(PageEvent::time).reversed())
            .limit(Math.max(0, limit))
            .toList();
    Map<Integer, List<PageEvent>> byGuest = new TreeMap<>();
    for (PageEvent event : newest) {
      byGuest.computeIfAbsent(event.vmid(), vmid -> new ArrayList<>()).add(event);
    }
    Set<PageEvent> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    kept.addAll(newest);
    List<GuestTimeline> guests = new ArrayList<>();
    byGuest.forEach(
        (vmid, its) ->
            guests.add(
                new GuestTimeline(
                    vmid,
                    its.stream().sorted(Comparator.comparing(PageEvent::time)).toList(),
                    migrations.stream()
                        .filter(m -> m.vmid() == vmid)
                        .map(m -> keeping(m, kept))
                        .flatMap(Optional::stream)
                        .toList())));
    return new EventsPage(
        "guesthook events: " + source,
        made,
        List.copyOf(guests),
        List.copyOf(capacity),
        newest.size(),
        events.size() - newest.size(),
        Optional.empty());
  }

  /** The page with no migrations (a node's own recordings tell none). */
  public static EventsPage of(
      String source, Instant made, List<PageEvent> events, List<NodeCapacity> capacity, int limit) {
    return of(source, made, events, List.of(), capacity, limit);
  }

  private static Optional<Migration> keeping(Migration migration, Set<PageEvent> kept) {
    List<PageEvent> steps = migration.steps().stream().filter(kept::contains).toList();
    return steps.isEmpty()
        ? Optional.empty()
        : Optional.of(
            new Migration(
                migration.vmid(), migration.from(), migration.to(), migration.at(), steps));
  }

  /** The same page saying the cluster's nodes, and {@code cut} more events left out before it. */
  public EventsPage withCluster(Cluster nodes, long cut) {
    return new EventsPage(
        title, made, guests, capacity, shownEvents, leftOut + cut, Optional.of(nodes));
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
          seen - page.shownEvents(),
          Optional.empty());
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
