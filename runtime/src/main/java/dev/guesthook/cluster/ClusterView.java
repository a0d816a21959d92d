package dev.guesthook.cluster;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every node's published data as this node sees it in {@code /etc/pve}: each node's report with its
 * age, or what is wrong with its file (absent, a link, too large, not guesthook's format), so one
 * bad file costs that node's entry and never the whole view. Reads only; each file to at most
 * {@link Publisher#BOUND}.
 */
public final class ClusterView {
  /**
   * Reads a node's report leaving out fields it does not know: a cluster is upgraded node by node,
   * and a newer guesthook of the same format version may publish more (the version changes only
   * when a field changes meaning). What this one needs is still checked by {@link #valid}.
   */
  private static final ObjectReader LENIENT =
      Json.MAPPER.reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** A node's entry: its report and age, or the problem that kept it from being read. */
  public record NodeEntry(
      String node,
      Optional<NodeReport> report,
      Optional<Duration> age,
      boolean stale,
      Optional<String> problem) {}

  /** The view from {@code self}: whether it has quorum (unknown when .members is unreadable). */
  public record View(
      String self,
      Optional<Boolean> quorate,
      Duration staleAfter,
      List<NodeEntry> nodes,
      List<String> problems) {}

  /**
   * How much of all nodes' status.json one view reads: a node publishes about 2.5 KB (a few hundred
   * bytes more per guest holding a device), so 4 MiB is some 1600 such nodes, or 130 with 200
   * guests each; and only 16 files at their 256 KiB bound, whose parsed data (measured: about 2 MB
   * each when dense with small objects) leaves room in the 128 MB heap.
   */
  static final int READ_BUDGET = 4 * 1024 * 1024;

  /** How many folders of no member are named in the view's one line about them. */
  private static final int SHOWN_STRANGERS = 3;

  /**
   * How far ahead of this node's clock a node's data may be: clocks in a cluster agree within
   * seconds (corosync needs NTP); data from further ahead cannot say how old it is.
   */
  static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

  private ClusterView() {}

  /**
   * The line every view of the cluster starts with, for a person: {@code what} of how many nodes,
   * read by whom, its quorum, and when data is stale.
   */
  public static String headline(
      String what, int nodes, String self, Optional<Boolean> quorate, Duration staleAfter) {
    return what
        + " of "
        + nodes
        + " node(s) as seen from "
        + self
        + " ("
        + quorate.map(q -> q ? "quorate" : "NO QUORUM: /etc/pve read-only").orElse("quorum unknown")
        + "); data older than "
        + staleAfter.toSeconds()
        + " s is stale";
  }

  /**
   * Reads every node's file under {@code root}'s {@code /etc/pve/nodes}. Data older than {@code
   * staleAfter} is stale. Fails only when {@code /etc/pve/nodes} itself cannot be read.
   */
  public static View read(Path root, String self, Clock clock, Duration staleAfter)
      throws IOException {
    return read(ClusterFolder.under(root), self, clock, staleAfter);
  }

  static View read(ClusterFolder folder, String self, Clock clock, Duration staleAfter)
      throws IOException {
    List<NodeEntry> nodes = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    if (folder.nodes().isEmpty()) {
      return new View(self, folder.quorate(), staleAfter, nodes, problems);
    }
    ReadBudget budget = new ReadBudget(Publisher.FILE, READ_BUDGET);
    ClusterFolder.Members listed = folder.members();
    List<String> members = members(listed, self, problems);
    for (String member : members) {
      if (!NodeName.isValid(member)) {
        problems.add(
            "/etc/pve/.members: '" + Printable.of(member) + "' is not a node name; skipped");
        continue;
      }
      nodes.add(entry(folder, new NodeName(member), clock.instant(), staleAfter, budget));
    }
    strangers(folder, members).ifPresent(problems::add);
    return new View(self, listed.quorate(), staleAfter, nodes, problems);
  }

  /**
   * The cluster's members as pmxcfs lists them; this node alone when it is in no cluster, or when
   * the list cannot be read (said in {@code problems}): a folder in /etc/pve/nodes is no member.
   */
  private static List<String> members(
      ClusterFolder.Members members, String self, List<String> problems) {
    Optional<List<String>> listed = members.names();
    if (listed.isEmpty()) {
      problems.add("/etc/pve/.members: unreadable (is pmxcfs running?); only this node is read");
    }
    return listed.filter(m -> !m.isEmpty()).orElse(List.of(self));
  }

  /** One line naming folders in /etc/pve/nodes of no member, if there are any. */
  private static Optional<String> strangers(ClusterFolder folder, List<String> members)
      throws IOException {
    ClusterFolder.Strangers strangers = folder.strangers(Set.copyOf(members), SHOWN_STRANGERS);
    if (strangers.count() == 0) {
      return Optional.empty();
    }
    return Optional.of(
        "/etc/pve/nodes: "
            + strangers.count()
            + " folder(s) of no cluster member (not in /etc/pve/.members), not read: "
            + strangers.some().stream().map(Printable::of).collect(Collectors.joining(", "))
            + (strangers.count() > strangers.some().size() ? ", ..." : "")
            + " (pvecm delnode leaves a removed node's folder: remove it)");
  }

  private static NodeEntry entry(
      ClusterFolder folder, NodeName node, Instant now, Duration staleAfter, ReadBudget budget) {
    String file = ClusterFolder.shown(node, Publisher.FILE);
    if (budget.spentUp().isPresent()) {
      return problem(node, file + ": " + budget.spentUp().get());
    }
    Optional<byte[]> bytes;
    try {
      bytes = folder.read(node, Publisher.FILE, Publisher.BOUND);
    } catch (IOException e) {
      return problem(node, file + ": " + e.getMessage());
    }
    bytes.ifPresent(b -> budget.spend(b.length));
    if (bytes.isEmpty()) {
      return problem(node, file + ": absent (guesthook has not published on this node)");
    }
    NodeReport report;
    try {
      // Its format and version first: a newer guesthook's file is named as such, not as broken.
      JsonNode tree = Json.MAPPER.readTree(bytes.get());
      requireFormat(tree.path("format").asText(""), tree.path("version").asInt(0));
      PeerJson.requireShape(tree, NodeReport.class);
      PeerJson.makePrintable(tree);
      report = valid(node, LENIENT.treeToValue(tree, NodeReport.class));
    } catch (JacksonException e) {
      return problem(
          node, file + ": not guesthook's node data (" + firstLine(e.getOriginalMessage()) + ")");
    } catch (PeerJson.Malformed e) {
      return problem(node, file + ": not guesthook's node data: " + e.getMessage());
    } catch (IOException | IllegalArgumentException e) {
      return problem(node, file + ": " + e.getMessage());
    }
    Instant at = Instant.parse(report.publishedAt());
    Duration age = Duration.between(at, now);
    if (age.negated().compareTo(CLOCK_SKEW) > 0) {
      return problem(
          node,
          file
              + ": STALE: published "
              + report.publishedAt()
              + ", "
              + age.negated().toSeconds()
              + " s ahead of this node's clock (more than "
              + CLOCK_SKEW.toSeconds()
              + " s): its clock or this node's is wrong, so its age is unknown");
    }
    return new NodeEntry(
        node.value(),
        Optional.of(report),
        Optional.of(age),
        age.compareTo(staleAfter) > 0,
        Optional.empty());
  }

  private static NodeEntry problem(NodeName node, String problem) {
    return new NodeEntry(
        node.value(), Optional.empty(), Optional.empty(), true, Optional.of(problem));
  }

  /** A report that says what it is and whose it is, with counts and addresses that make sense. */
  static NodeReport valid(NodeName node, NodeReport report) {
    require(report != null, "empty");
    requireFormat(String.valueOf(report.format()), report.version());
    require(
        node.value().equals(report.node()),
        "says it is node '" + Printable.of(String.valueOf(report.node())) + "'");
    require(Publisher.publishedAt(report).isPresent(), "no valid publishedAt");
    require(report.capacity() != null && report.guests() != null, "no capacity or guests");
    NodeReport.Capacity c = report.capacity();
    require(
        c.mdev() != null && c.vgpu() != null && c.vfs() != null && c.vfio() != null,
        "capacity incomplete");
    c.mdev().forEach(m -> counts(m.parent(), m.free(), m.total()));
    c.vgpu().forEach(v -> counts(v.gpu(), v.free(), v.total()));
    c.vfs().forEach(v -> counts(v.pf(), v.free(), v.total()));
    c.vfio().forEach(a -> require(PciAddress.isValid(a), "bad PCI address in vfio"));
    // Absent in a file an older guesthook published: cluster place says so for that node.
    if (c.functions() != null) {
      c.functions().forEach(a -> require(PciAddress.isValid(a), "bad PCI address in functions"));
    }
    if (report.mappings() != null) {
      report
          .mappings()
          .forEach(
              m ->
                  require(
                      m != null && m.id() != null && m.entries() >= 0 && m.freeVfs() >= 0,
                      "bad mapping entry"));
    }
    report
        .guests()
        .forEach(
            g ->
                require(
                    g.holds() != null
                        && g.holds().stream()
                            .allMatch(h -> PciAddress.isValid(h.device()) && h.changes() != null)
                        && g.vmid() >= 100,
                    "bad guest entry"));
    return report;
  }

  private static void requireFormat(String format, int version) {
    require(
        NodeReport.FORMAT.equals(format) && version == NodeReport.VERSION,
        "format '"
            + Printable.of(format)
            + "' version "
            + version
            + ", not "
            + NodeReport.FORMAT
            + " version "
            + NodeReport.VERSION
            + " (another guesthook's?)");
  }

  private static void counts(String address, int free, int total) {
    require(
        PciAddress.isValid(address),
        "bad PCI address '" + Printable.of(String.valueOf(address)) + "'");
    require(
        free >= 0 && total >= free,
        address + ": free " + free + " of " + total + " makes no sense");
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(problem);
    }
  }

  private static String firstLine(String text) {
    return Printable.of(text == null ? "" : text.lines().findFirst().orElse(""));
  }
}
