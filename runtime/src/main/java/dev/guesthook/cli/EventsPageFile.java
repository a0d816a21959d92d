package dev.guesthook.cli;

import dev.guesthook.app.NodeRuntime;
import dev.guesthook.cluster.ClusterEvents;
import dev.guesthook.cluster.ClusterView;
import dev.guesthook.cluster.NodeReport;
import dev.guesthook.cluster.Publisher;
import dev.guesthook.files.WholeFile;
import dev.guesthook.page.ClusterSource;
import dev.guesthook.page.EventsPage;
import dev.guesthook.page.HtmlPage;
import dev.guesthook.page.NodeCapacity;
import dev.guesthook.page.PageEvent;
import dev.guesthook.record.RecordedEvent;
import dev.guesthook.record.RecordingException;
import dev.guesthook.record.RecordingReader;
import dev.guesthook.record.Recordings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * {@code events --html FILE}: this node's recordings (one guest's with --vmid), or with --cluster
 * every node's published events, and the capacity view as one page. The capacity comes from every
 * node's {@code status.json} when this node is in a cluster, else from a survey of this node now.
 * The page is written beside the file and renamed over it (mode 0600: hook messages may say more
 * than everyone should read), so a link where it goes is replaced, never followed.
 */
final class EventsPageFile {
  /** As {@code cluster status}: three publish intervals. */
  private static final Duration STALE_AFTER = Duration.ofSeconds(180);

  private final NodeRuntime runtime;
  private final Consumer<String> warn;

  EventsPageFile(NodeRuntime runtime, Consumer<String> warn) {
    this.runtime = runtime;
    this.warn = warn;
  }

  /** What was written: the page's counts, for the one line the command prints. */
  record Written(Path file, long events, int guests, long leftOut) {
    String summary() {
      return "events: wrote "
          + events
          + " event(s) of "
          + guests
          + " guest(s) to "
          + file
          + (leftOut > 0 ? " (" + leftOut + " older left out)" : "");
    }
  }

  /** Reads, draws and writes; fails with a message naming the file when it cannot. Blocking. */
  Written write(Path file, OptionalInt vmid) throws IOException {
    Path target = writable(file);
    EventsPage.Newest newest = new EventsPage.Newest(EventsPage.MAX_EVENTS);
    read(vmid, newest);
    String node = runtime.node();
    return save(target, newest.page(node, Clock.systemUTC().instant(), capacity(node)));
  }

  /**
   * Draws every node's published events ({@code events}, read as {@code events --cluster} reads
   * them) with every node's capacity, its staleness by the same bound.
   */
  Written writeCluster(Path file, ClusterEvents.View events, Optional<Integer> vmid)
      throws IOException {
    Path target = writable(file);
    List<NodeCapacity> capacity;
    try {
      capacity =
          NodeCapacity.of(
              ClusterView.read(
                  runtime.settings().root(),
                  runtime.node(),
                  Clock.systemUTC(),
                  events.staleAfter()));
    } catch (IOException e) {
      // The nodes' events were just read from the same folder: draw them; the page says that no
      // capacity is known, the warning why.
      capacity = List.of();
      warn.accept("events --html: no capacity: cannot read /etc/pve/nodes: " + e.getMessage());
    }
    return save(target, ClusterSource.page(events, vmid, capacity, Clock.systemUTC().instant()));
  }

  /** Where the page goes, absolute, once its folder is there and it is no folder itself. */
  private static Path writable(Path file) throws IOException {
    Path target = file.toAbsolutePath().normalize();
    Path folder = target.getParent();
    if (folder == null || !Files.isDirectory(folder)) {
      throw new IOException(folder + " is not a folder; fix: create it or give another FILE");
    }
    if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(target + " is a folder; fix: name a file, such as events.html");
    }
    return target;
  }

  private static Written save(Path target, EventsPage page) throws IOException {
    WholeFile.replace(
        target,
        HtmlPage.render(page).getBytes(StandardCharsets.UTF_8),
        PosixFilePermissions.fromString("rw-------"));
    return new Written(target, page.shownEvents(), page.guests().size(), page.leftOut());
  }

  private void read(OptionalInt vmid, EventsPage.Newest newest) throws IOException {
    for (Path recording : Recordings.files(runtime.settings().recordingDir())) {
      try (RecordingReader reader = new RecordingReader(recording, warn)) {
        while (reader.hasNext()) {
          RecordedEvent event = reader.next();
          if (vmid.isEmpty() || event.vmid() == vmid.getAsInt()) {
            newest.add(PageEvent.of(event.recording()));
          }
        }
      } catch (RecordingException e) {
        warn.accept(e.getMessage());
      }
    }
  }

  /** Every node's published capacity when in a cluster; this node's survey otherwise. */
  private List<NodeCapacity> capacity(String node) {
    try {
      ClusterView.View view =
          ClusterView.read(runtime.settings().root(), node, Clock.systemUTC(), STALE_AFTER);
      if (view.nodes().stream().anyMatch(entry -> entry.report().isPresent())) {
        return NodeCapacity.of(view);
      }
    } catch (IOException notClustered) {
      // No /etc/pve/nodes: a node on its own.
    }
    Optional<NodeReport> surveyed = runtime.publisher().flatMap(Publisher::survey);
    return surveyed.map(r -> List.of(NodeCapacity.surveyed(node, r.capacity()))).orElse(List.of());
  }
}
