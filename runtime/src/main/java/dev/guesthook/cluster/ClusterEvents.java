package dev.guesthook.cluster;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.id.Printable;
import dev.guesthook.id.VmId;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every node's ring as this node sees it in {@code /etc/pve}: each node's entries with the age of
 * its data (its {@code status.json}, which is published every minute, so a quiet node is not
 * stale), or what is wrong with its file. One bad file costs that node's entries, never the view;
 * an entry that makes no sense is left out and counted. Reads only; each file to at most {@link
 * EventRing#READ_BOUND}. The reader the CLI and the HTML page share.
 */
public final class ClusterEvents {
  private static final Set<String> PHASES =
      Set.of("pre-start", "post-start", "pre-stop", "post-stop", EventEntries.RECONCILE);

  /**
   * A node's ring: its entries, oldest first, and how old its data is; or the problem that kept
   * them from being read. {@code skipped}: entries left out as senseless.
   */
  public record NodeEvents(
      String node,
      List<EventRing.Entry> entries,
      Optional<Duration> age,
      boolean stale,
      Optional<String> problem,
      int skipped) {
    /** Its state as a person reads it: stale or not, how many events, how old, what is wrong. */
    public String summary() {
      return (stale ? "STALE: " : "")
          + entries.size()
          + " event(s), "
          + age.map(a -> "data " + a.toSeconds() + " s old").orElse("data age unknown")
          + problem.map(p -> "; " + p).orElse("");
    }
  }

  /** The view from {@code self}. */
  public record View(
      String self,
      Optional<Boolean> quorate,
      Duration staleAfter,
      List<NodeEvents> nodes,
      List<String> problems) {}

  /**
   * An entry and its node: a line of the cluster's timeline; {@code at} is its time, parsed once (a
   * timeline of dozens of nodes' rings is sorted and grouped by it).
   */
  public record Placed(String node, EventRing.Entry entry, Instant at) {
    /** By time, then node, then the node's order. */
    public static final Comparator<Placed> BY_TIME =
        Comparator.comparing(Placed::at)
            .thenComparing(Placed::node)
            .thenComparingLong(p -> p.entry().seq());

    public String time() {
      return entry.time();
    }

    /** Which node and entry: a key that stays while the entry is in the ring. */
    public String key() {
      return node + " " + entry.seq() + " " + entry.time();
    }
  }

  /**
   * How much of all nodes' events.json one view reads: 64 nodes' rings at their bound (a ring holds
   * at most {@link EventRing#MAX_ENTRIES} entries; see {@link ReadBudget}).
   */
  static final int READ_BUDGET = 64 * EventRing.READ_BOUND;

  private ClusterEvents() {}

  /** Reads every node's ring; fails only when {@code /etc/pve/nodes} itself cannot be read. */
  public static View read(Path root, String self, Clock clock, Duration staleAfter)
      throws IOException {
    return read(ClusterFolder.under(root), self, clock, staleAfter);
  }

  static View read(ClusterFolder folder, String self, Clock clock, Duration staleAfter)
      throws IOException {
    ClusterView.View status = ClusterView.read(folder, self, clock, staleAfter);
    List<NodeEvents> nodes = new ArrayList<>();
    ReadBudget budget = new ReadBudget(EventRing.FILE, READ_BUDGET);
    for (ClusterView.NodeEntry entry : status.nodes()) {
      nodes.add(ring(folder, entry, budget));
    }
    return new View(self, status.quorate(), staleAfter, nodes, status.problems());
  }

  /** Every node's entries in one timeline, by time; only {@code vmid}'s when given. */
  public static List<Placed> merged(View view, Optional<Integer> vmid) {
    List<Placed> all = new ArrayList<>();
    for (NodeEvents node : view.nodes()) {
      node.entries().stream()
          .filter(e -> vmid.isEmpty() || e.vmid() == vmid.get())
          .forEach(e -> all.add(new Placed(node.node(), e, Instant.parse(e.time()))));
    }
    all.sort(Placed.BY_TIME);
    return all;
  }

  /**
   * One node's ring, with the age and staleness of its status (a node whose status cannot be read
   * is stale: its ring may lack what happened since).
   */
  private static NodeEvents ring(
      ClusterFolder folder, ClusterView.NodeEntry status, ReadBudget budget) {
    NodeName node = new NodeName(status.node());
    String file = ClusterFolder.shown(node, EventRing.FILE);
    if (budget.spentUp().isPresent()) {
      return problem(status, file + ": " + budget.spentUp().get());
    }
    Optional<byte[]> bytes;
    try {
      bytes = folder.read(node, EventRing.FILE, EventRing.READ_BOUND);
    } catch (IOException e) {
      return problem(status, file + ": " + e.getMessage());
    }
    bytes.ifPresent(b -> budget.spend(b.length));
    if (bytes.isEmpty()) {
      return new NodeEvents(
          status.node(), List.of(), status.age(), status.stale(), status.problem(), 0);
    }
    JsonNode tree;
    try {
      tree = Json.MAPPER.readTree(bytes.get());
      require(tree != null && tree.isObject(), "not a JSON object");
      require(
          EventRing.FORMAT.equals(tree.path("format").asText(""))
              && tree.path("version").asInt(0) == EventRing.VERSION,
          "format '"
              + Printable.of(tree.path("format").asText(""))
              + "' version "
              + tree.path("version").asInt(0)
              + ", not "
              + EventRing.FORMAT
              + " version "
              + EventRing.VERSION
              + " (another guesthook's?)");
      require(
          node.value().equals(tree.path("node").asText("")),
          "says it is node '" + Printable.of(tree.path("node").asText("")) + "'");
      require(tree.path("entries").isArray(), "no entries");
    } catch (JacksonException e) {
      return problem(status, file + ": not guesthook's events (" + firstLine(e) + ")");
    } catch (IOException | IllegalArgumentException e) {
      return problem(status, file + ": " + e.getMessage());
    }
    List<EventRing.Entry> entries = new ArrayList<>();
    int skipped = 0;
    for (JsonNode item : tree.path("entries")) {
      Optional<EventRing.Entry> entry = entry(item);
      if (entry.isPresent() && entries.size() < EventRing.MAX_ENTRIES) {
        entries.add(entry.get());
      } else {
        skipped++;
      }
    }
    Optional<String> problem =
        skipped == 0
            ? status.problem()
            : Optional.of(file + ": " + skipped + " entries make no sense; left out");
    return new NodeEvents(status.node(), entries, status.age(), status.stale(), problem, skipped);
  }

  private static NodeEvents problem(ClusterView.NodeEntry status, String problem) {
    return new NodeEvents(status.node(), List.of(), status.age(), true, Optional.of(problem), 0);
  }

  /**
   * The times an entry may have: guesthook did not run before, and a story's window around a time
   * must stay within what an {@link Instant} can count.
   */
  private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  private static final Instant LATEST = Instant.parse("3000-01-01T00:00:00Z");

  /** An entry that makes sense, its texts made printable; empty otherwise. */
  static Optional<EventRing.Entry> entry(JsonNode item) {
    try {
      EventRing.Entry e = Json.MAPPER.treeToValue(item, EventRing.Entry.class);
      Instant at = Instant.parse(e.time());
      boolean sane =
          e.seq() > 0
              && !at.isBefore(EARLIEST)
              && at.isBefore(LATEST)
              && e.vmid() >= VmId.MIN
              && e.vmid() <= VmId.MAX
              && PHASES.contains(e.phase())
              && e.outcome() != null
              && e.situation() != null
              && e.durationMs() >= 0
              && (e.migratedFrom() == null || NodeName.isValid(e.migratedFrom()))
              && e.hooks() != null
              && e.hooks().size() <= EventRing.SHOWN_HOOKS
              && e.hooks().stream().allMatch(h -> h != null && h.name() != null)
              && e.changes() != null
              && e.changes().shown() != null
              && e.changes().shown().size() <= EventRing.SHOWN_CHANGES;
      return sane ? Optional.of(printable(e)) : Optional.empty();
    } catch (JacksonException | DateTimeParseException | NullPointerException e) {
      return Optional.empty();
    }
  }

  private static EventRing.Entry printable(EventRing.Entry e) {
    return new EventRing.Entry(
        e.seq(),
        e.time(),
        e.vmid(),
        e.phase(),
        text(e.situation()),
        e.migratedFrom(),
        text(e.outcome()),
        e.durationMs(),
        e.hooks().stream()
            .map(
                h ->
                    new EventRing.HookRun(
                        text(h.name()), text(String.valueOf(h.outcome())), h.durationMs()))
            .toList(),
        new EventRing.Changes(
            e.changes().made(),
            e.changes().undone(),
            e.changes().shown().stream().map(s -> text(String.valueOf(s))).toList()));
  }

  private static String text(String value) {
    return EventRing.cut(Printable.of(value));
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static String firstLine(JacksonException e) {
    String text = e.getOriginalMessage();
    return Printable.of(text == null ? "" : text.lines().findFirst().orElse(""));
  }
}
