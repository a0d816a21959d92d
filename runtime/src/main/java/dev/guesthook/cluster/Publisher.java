package dev.guesthook.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.guesthook.devices.Change;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.JournalProblem;
import dev.guesthook.journal.JournalReading;
import dev.guesthook.journal.Journals;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Publishes this node's capacity and holdings to {@code
 * /etc/pve/nodes/<node>/guesthook/status.json} for every node to read: after each phase and, from
 * {@code serve}, every {@link #EVERY}. Only this node's own file is ever written. A failure (no
 * quorum, a full file system, a device that cannot be read) is an {@link Outcome} to report, never
 * an exception: a phase's outcome and exit code do not depend on it, and the next publish tries
 * again.
 */
public final class Publisher {
  /** The file, one per node. */
  public static final String FILE = "status.json";

  /**
   * The most a node's file may hold: a few hundred bytes a parent, PF or guest, so a node with 200
   * mdev types, 64 PFs and 500 guests holding 4 devices each stays under it, and far under pmxcfs's
   * 1 MiB a file. A larger one is not written (and not read).
   */
  public static final int BOUND = 256 * 1024;

  /** How often {@code serve} publishes besides after phases; older data is shown as stale. */
  public static final Duration EVERY = Duration.ofMinutes(1);

  /** What a publish did. */
  public sealed interface Outcome {
    /** The line for a log, or empty when there is nothing to say. */
    Optional<String> news();
  }

  /** Written: the file and its size. */
  public record Published(String file, int bytes) implements Outcome {
    public Optional<String> news() {
      return Optional.empty();
    }
  }

  /**
   * This host is in no cluster file system ({@code /etc/pve/nodes/<node>} absent): nothing to do.
   */
  public record NotClustered() implements Outcome {
    public Optional<String> news() {
      return Optional.empty();
    }
  }

  /** Not written this time; the reason names the file and the errno. */
  public record Paused(String errno, String reason) implements Outcome {
    public Optional<String> news() {
      return Optional.of("cluster: publishing paused: " + reason);
    }
  }

  private final HostPort host;
  private final ClusterFolder folder;
  private final NodeName node;
  private final Journals journals;
  private final EventLog events;

  /** The newest entry in this node's published ring, as far as this publisher knows. */
  private long eventsPublished = -1;

  private Publisher(
      HostPort host, ClusterFolder folder, NodeName node, Journals journals, EventLog events) {
    this.host = host;
    this.folder = folder;
    this.node = node;
    this.journals = journals;
    this.events = events;
  }

  /**
   * This node's publisher: {@code host} is read for capacity, {@code root}'s {@code /etc/pve}
   * written, its journals read for holdings. Empty when {@code node} is no valid node name.
   */
  public static Optional<Publisher> of(HostPort host, Path root, String node, Clock clock) {
    if (!NodeName.isValid(node)) {
      return Optional.empty();
    }
    // Only read: no lock is waited for.
    Journals journals = Journals.under(root, Duration.ZERO, clock);
    return Optional.of(
        new Publisher(
            host,
            ClusterFolder.under(root),
            new NodeName(node),
            journals,
            EventLog.under(root, journals.locks())));
  }

  /** Surveys and writes this node's file; never throws. Blocking. */
  public Outcome publish() {
    return publish(Optional.empty(), List.of());
  }

  /**
   * Adds {@code news} to this node's ring, then writes its status file, from a report surveyed
   * already (for the metrics too: one survey after a phase) or surveyed now when there is none,
   * and, when the ring has news, its ring ({@link EventRing#FILE}); never throws. Blocking. Without
   * quorum the ring keeps its news on this node's disk, and the next publish with quorum carries
   * them.
   */
  public Outcome publish(Optional<NodeReport> surveyed, List<EventRing.Entry> news) {
    try {
      if (!folder.hasNodeEntry(node)) {
        return new NotClustered();
      }
      List<String> ring;
      Optional<Paused> notNoted = Optional.empty();
      try {
        ring = events.append(news);
      } catch (IOException | RuntimeException e) {
        ring = events.recent();
        notNoted =
            Optional.of(
                new Paused(
                    "EIO", events.file() + ": " + e.getMessage() + "; these events are lost"));
      }
      Outcome status = publishStatus(surveyed);
      if (!(status instanceof Published)) {
        return status;
      }
      Outcome published = publishEvents(ring);
      return published instanceof Paused
          ? published
          : notNoted.map(Outcome.class::cast).orElse(status);
    } catch (PublishException e) {
      return new Paused(e.errno(), e.getMessage());
    } catch (IOException | RuntimeException e) {
      return new Paused("EIO", ClusterFolder.shown(node, FILE) + ": " + e.getMessage());
    }
  }

  /** What this node has and holds now; empty when it cannot be surveyed. Blocking. */
  public Optional<NodeReport> survey() {
    try {
      return Optional.of(report());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private Outcome publishStatus(Optional<NodeReport> surveyed)
      throws IOException, PublishException {
    byte[] bytes = Json.MAPPER.writeValueAsBytes(surveyed.isPresent() ? surveyed.get() : report());
    String file = ClusterFolder.shown(node, FILE);
    if (bytes.length > BOUND) {
      return new Paused(
          "EFBIG", file + ": would be " + bytes.length + " bytes, over guesthook's " + BOUND);
    }
    folder.write(node, FILE, bytes);
    return new Published(file, bytes.length);
  }

  /**
   * This node's ring, written when it has entries the published one lacks. Its entries are copied
   * as this node's disk holds them: no entry is parsed again.
   */
  private Outcome publishEvents(List<String> ring) {
    long newest = EventLog.lastSeq(ring);
    String file = ClusterFolder.shown(node, EventRing.FILE);
    if (newest == eventsPublished || ring.isEmpty()) {
      return new Published(file, 0);
    }
    String document =
        "{\"format\":\""
            + EventRing.FORMAT
            + "\",\"version\":"
            + EventRing.VERSION
            + ",\"node\":\""
            + node.value()
            + "\",\"publishedAt\":\""
            + journals.clock().instant().truncatedTo(ChronoUnit.MILLIS)
            + "\",\"entries\":["
            + String.join(",", ring)
            + "]}";
    byte[] bytes = document.getBytes(StandardCharsets.UTF_8);
    try {
      folder.write(node, EventRing.FILE, bytes);
    } catch (PublishException e) {
      return new Paused(e.errno(), e.getMessage());
    }
    eventsPublished = newest;
    return new Published(file, bytes.length);
  }

  /** What this node has and holds now. */
  NodeReport report() throws JsonProcessingException {
    List<NodeReport.Guest> guests = new ArrayList<>();
    Set<PciAddress> held = new HashSet<>();
    for (VmId vmid : journals.folder().guests()) {
      JournalReading reading = journals.of(vmid).read();
      held.addAll(reading.devices());
      List<NodeReport.Holding> holds = holdings(reading);
      if (!holds.isEmpty()) {
        guests.add(new NodeReport.Guest(vmid.value(), holds));
      }
    }
    return new NodeReport(
        NodeReport.FORMAT,
        NodeReport.VERSION,
        node.value(),
        journals.clock().instant().truncatedTo(ChronoUnit.MILLIS).toString(),
        new CapacitySurvey(host).survey(held),
        guests,
        new MappingSurvey(host).survey(node, held));
  }

  /** Per device, in the order the journal first names it, the changes that hold it. */
  private static List<NodeReport.Holding> holdings(JournalReading reading) {
    Map<String, List<String>> byDevice = new LinkedHashMap<>();
    for (Change change : reading.changes()) {
      byDevice
          .computeIfAbsent(change.device().value(), d -> new ArrayList<>())
          .add(change.target());
    }
    for (JournalProblem problem : reading.problems()) {
      for (PciAddress device : new TreeSet<>(problem.mayHold())) {
        byDevice
            .computeIfAbsent(device.value(), d -> new ArrayList<>())
            .add("an unreadable journal line (" + problem.where() + ")");
      }
    }
    List<NodeReport.Holding> holds = new ArrayList<>();
    byDevice.forEach((device, changes) -> holds.add(new NodeReport.Holding(device, changes)));
    return holds;
  }

  /** When a report was published, for its age; empty when its time cannot be read. */
  static Optional<Instant> publishedAt(NodeReport report) {
    try {
      return Optional.of(Instant.parse(report.publishedAt()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
