package dev.guesthook.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A cluster's timeline with each live migration told as one story: the target's phases that Proxmox
 * ran with {@code PVE_MIGRATED_FROM}, and the source's end of the guest there (its pre-stop or
 * post-stop, and the reconcile that put back what it held: Proxmox runs no post-stop on a
 * migration's source, so that reconcile is often the source's only word). The source's part is its
 * entries of the guest after its last start there (at most {@link #BEFORE} before the target's
 * start) until it starts there again.
 */
public final class MigrationStories {
  /**
   * How far before the target's start a source's entry may lie: clocks of nodes differ a little,
   * and a guest stopped for an offline move a moment before belongs to it.
   */
  public static final Duration BEFORE = Duration.ofMinutes(10);

  /** How long after the target's start its own phases of the migration may come. */
  public static final Duration TARGET_WITHIN = Duration.ofMinutes(10);

  private static final Set<String> SOURCE_PHASES =
      Set.of("pre-stop", "post-stop", EventEntries.RECONCILE);

  /** A line of the timeline: one entry, or a migration with its steps. */
  public sealed interface Item {
    String time();
  }

  /** An entry that is part of no migration. */
  public record Single(ClusterEvents.Placed event) implements Item {
    public String time() {
      return event.time();
    }
  }

  /**
   * Guest {@code vmid} moved from node {@code from} to {@code to}, its target starting {@code at}.
   */
  public record Story(int vmid, String from, String to, String at, List<ClusterEvents.Placed> steps)
      implements Item {
    public String time() {
      return at;
    }

    /** The heading a person reads. */
    public String heading() {
      return "VM " + vmid + " migrated " + from + " -> " + to + " at " + at;
    }
  }

  private MigrationStories() {}

  /** {@code merged} (by time, as {@link ClusterEvents#merged} gives it) told as items, by time. */
  public static List<Item> group(List<ClusterEvents.Placed> merged) {
    Set<ClusterEvents.Placed> told = new HashSet<>();
    // A story is one guest's: each looks through its guest's entries only, not the cluster's.
    Map<Integer, List<ClusterEvents.Placed>> byGuest = new HashMap<>();
    merged.forEach(p -> byGuest.computeIfAbsent(p.entry().vmid(), v -> new ArrayList<>()).add(p));
    Map<Item, Instant> at = new LinkedHashMap<>(); // stories first, then the others, as before
    for (ClusterEvents.Placed start : merged) {
      String from = start.entry().migratedFrom();
      // A guest does not migrate to the node it is on: Proxmox never sets that, so no story.
      if (from == null || from.equals(start.node()) || told.contains(start)) {
        continue;
      }
      at.put(story(start, byGuest.get(start.entry().vmid()), told), start.at());
    }
    merged.stream().filter(p -> !told.contains(p)).forEach(p -> at.put(new Single(p), p.at()));
    List<Item> items = new ArrayList<>(at.keySet());
    items.sort(Comparator.comparing(at::get));
    return items;
  }

  /** The story that {@code start}, a target's first phase with a source, begins. */
  private static Story story(
      ClusterEvents.Placed start,
      List<ClusterEvents.Placed> guests,
      Set<ClusterEvents.Placed> told) {
    int vmid = start.entry().vmid();
    String from = start.entry().migratedFrom();
    Instant at = start.at();
    List<Instant> startsOnSource =
        guests.stream()
            .filter(p -> p.node().equals(from))
            .filter(p -> p.entry().phase().equals("pre-start"))
            .map(ClusterEvents.Placed::at)
            .toList();
    // The source's part: the guest's life there that the migration ended, from its last start
    // before (at most BEFORE) until it starts there again.
    Instant sourceFrom =
        startsOnSource.stream()
            .filter(t -> t.isBefore(at))
            .reduce((first, second) -> second)
            .filter(t -> t.isAfter(at.minus(BEFORE)))
            .orElse(at.minus(BEFORE));
    Optional<Instant> backOnSource = startsOnSource.stream().filter(t -> t.isAfter(at)).findFirst();
    List<ClusterEvents.Placed> steps = new ArrayList<>();
    for (ClusterEvents.Placed p : guests) {
      Instant t = p.at();
      boolean target =
          p.node().equals(start.node())
              && from.equals(p.entry().migratedFrom())
              && !t.isBefore(at)
              && !t.isAfter(at.plus(TARGET_WITHIN));
      boolean source =
          p.node().equals(from)
              && SOURCE_PHASES.contains(p.entry().phase())
              && t.isAfter(sourceFrom)
              && backOnSource.map(t::isBefore).orElse(true);
      if ((target || source) && told.add(p)) {
        steps.add(p);
      }
    }
    return new Story(vmid, from, start.node(), start.time(), steps);
  }
}
