package dev.guesthook.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.app.NodeRuntime;
import dev.guesthook.cluster.ClusterEvents;
import dev.guesthook.cluster.MigrationStories;
import dev.guesthook.json.Json;
import dev.guesthook.page.EventsPage;
import dev.guesthook.record.RecordedEvent;
import dev.guesthook.record.RecordingException;
import dev.guesthook.record.RecordingReader;
import dev.guesthook.record.Recordings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook events}: the recordings as a timeline, or every node's ring with --cluster. */
@Command(
    name = "events",
    header = "The recorded lifecycle events as a timeline (this node's, or the cluster's).",
    mixinStandardHelpOptions = true,
    description = {
      "Show the recorded lifecycle events (from <root>/var/lib/guesthook/recordings) as a timeline: one",
      "line per phase with its outcome and each hook that acted. --json prints the records themselves.",
      "--follow keeps printing new events as they are recorded (Ctrl-C to stop).",
      "--html FILE writes one self-contained page instead (no file or script from elsewhere: open it",
      "anywhere, mail it): a timeline per guest (each phase with a red mark when it failed or was rolled",
      "back, its hooks as bars as long as they took, failures, rollback steps, device changes) and the",
      "capacity of each node (every node's published data in a cluster, else this node surveyed now).",
      "The newest "
          + EventsPage.MAX_EVENTS
          + " events are drawn; the page says how many older ones it left out.",
      "",
      "Examples:",
      "  guesthook events                                  every recorded phase, oldest first",
      "  guesthook events --vmid 101 --follow              VM 101's phases as they happen",
      "  guesthook events --html /root/events.html         the page (mode 0600; chmod it to share)",
      "  guesthook events --vmid 101 --html vm101.html     one guest's page",
      "",
      "A bad record (torn, not UTF-8, over 16 MiB, bad vmid, phase or time) is warned about once with",
      "file:line and skipped. Exit 0, or 2 when records were skipped and none could be read, or when",
      "the page cannot be written (its folder is missing, FILE is a folder) or --html meets --follow.",
      "",
      "--cluster: every node's recent events, from /etc/pve/nodes/<node>/guesthook/events.json (each",
      "node's last 128 phases and reconciles, published after each; pmxcfs shows them on every node),",
      "merged by time, one line per event with its node. A live migration reads as one story: a",
      "heading 'VM <vmid> migrated <source> -> <target> at <time>' with the target's phases started",
      "with PVE_MIGRATED_FROM and the source's stop and reconcile of what the guest held (Proxmox runs",
      "no post-stop on a migration's source: its reconcile puts the devices back, after the next",
      "post-stop of any guest there or within a minute under 'guesthook serve'). Each node is listed",
      "first with its event count and data age; a node whose data is older than --stale-after",
      "(no quorum, guesthook stopped, node down) is STALE, one whose file is a link, too large or not",
      "guesthook's is named with what is wrong, and the others are still shown. --follow reads the",
      "files every 2 s and prints each new event once (with --json one object a line).",
      "--cluster --html FILE draws that on the page: each phase naming its node, a migration as one",
      "story (a box with its heading and steps), the nodes' state (stale or unreadable ones in red,",
      "saying why) and every node's capacity; hooks with their durations and the host changes as",
      "far as a node's ring tells them (counts and the first four), no hook messages.",
      "Exit (--cluster): 0 every node's data fresh and readable, 1 a node's stale or unreadable (the",
      "others are shown, the page is written), 2 this host is in no cluster or the page cannot be",
      "written.",
      "",
      "  guesthook events --cluster",
      "  guesthook events --cluster --html /root/cluster.html    every node's events on one page",
      "  guesthook events --cluster --vmid 4711 --json | jq '.events[] | select(.type==\"migration\")'",
      "  guesthook events --cluster --follow",
      "  guesthook --root DIR/nodes/pve2 --simulate events --cluster     # a simulated cluster"
    })
final class EventsCommand implements Callable<Integer> {
  private static final long FOLLOW_POLL_MILLIS = 500;
  private static final long CLUSTER_POLL_MILLIS = 2000;

  @ParentCommand Main main;

  @Option(names = "--vmid", paramLabel = "VMID", description = "Only this guest's events.")
  Integer vmid;

  @Option(names = "--follow", description = "Wait for new events and print them as they come.")
  boolean follow;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Write the events and the nodes' capacity as one HTML page to FILE.")
  Path html;

  @Option(
      names = "--cluster",
      description = "Every node's recent events from /etc/pve, merged by time.")
  boolean cluster;

  @Option(
      names = "--stale-after",
      paramLabel = "SECONDS",
      defaultValue = "180",
      description =
          "With --cluster: a node's data older than this is stale (default: ${DEFAULT-VALUE}).")
  long staleAfter;

  @Option(
      names = "--stop-after",
      paramLabel = "SECONDS",
      description = "With --follow: stop after this long (default: until Ctrl-C).")
  Long stopAfter;

  private final Set<String> warned = new HashSet<>();

  @Override
  public Integer call() {
    if (staleAfter < 0 || (stopAfter != null && stopAfter < 0)) {
      main.console.error("--stale-after and --stop-after take a number of seconds, 0 or more");
      return ExitCodes.USAGE;
    }
    if (html != null) {
      return page();
    }
    if (cluster) {
      return main.withHost((settings, host, node) -> clusterEvents(settings.root(), node));
    }
    return main.withSettings(
        (vertx, settings) ->
            vertx.executeBlocking(
                () -> {
                  Path dir = settings.recordingDir();
                  Tally tally = printFrom(dir, 0);
                  while (follow && !Thread.currentThread().isInterrupted()) {
                    Thread.sleep(FOLLOW_POLL_MILLIS);
                    tally = printFrom(dir, tally.matching());
                  }
                  if (tally.skipped() > 0) {
                    main.console.warn(
                        "events: "
                            + tally.skipped()
                            + (tally.skipped() == 1 ? " bad record" : " bad records")
                            + " skipped (see above)");
                  }
                  return tally.read() == 0 && tally.skipped() > 0 ? ExitCodes.USAGE : ExitCodes.OK;
                },
                false));
  }

  private int page() {
    if (follow) {
      main.console.error("--html writes one page and ends: leave out --follow");
      return ExitCodes.USAGE;
    }
    return main.withRuntimeBlocking(runtime -> cluster ? clusterPage(runtime) : nodePage(runtime));
  }

  /** This node's recordings drawn. */
  private int nodePage(NodeRuntime runtime) {
    return written(
        () ->
            new EventsPageFile(runtime, this::warnOnce)
                .write(html, vmid == null ? OptionalInt.empty() : OptionalInt.of(vmid)),
        ExitCodes.OK);
  }

  /** Every node's ring drawn; exit as {@code events --cluster}, once the page is written. */
  private int clusterPage(NodeRuntime runtime) {
    ClusterEvents.View view;
    try {
      view = readOrExplain(runtime.settings().root(), runtime.node());
    } catch (NoCluster e) {
      return e.exit;
    }
    int written =
        written(
            () ->
                new EventsPageFile(runtime, this::warnOnce)
                    .writeCluster(html, view, Optional.ofNullable(vmid)),
            allFresh(view) ? ExitCodes.OK : ExitCodes.HOOK_FAILED);
    if (written == ExitCodes.HOOK_FAILED) {
      // The page names them; so does the terminal, which the exit code is read from.
      view.nodes().stream()
          .filter(n -> n.stale() || n.problem().isPresent())
          .forEach(n -> main.console.warn("events: " + n.node() + ": " + n.summary()));
      view.problems().forEach(p -> main.console.warn("events: " + p));
    }
    return written;
  }

  /** How a page is made: read, drawn, written; or why not, naming the file. */
  private interface PageWriter {
    EventsPageFile.Written write() throws IOException;
  }

  /** Writes the page and says where, then {@code exit}; 2 when it cannot be written. */
  private int written(PageWriter page, int exit) {
    EventsPageFile.Written written;
    try {
      written = page.write();
    } catch (IOException e) {
      main.console.error("events --html: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    main.console.out().println(written.summary());
    return exit;
  }

  /**
   * How many good records there are, how many of them are this command's, and how many bad ones
   * were skipped.
   */
  private record Tally(long read, long matching, long skipped) {}

  /**
   * Prints the events after the first {@code skip} ones (in file and line order); returns what it
   * counted.
   */
  private Tally printFrom(Path dir, long skip) throws IOException {
    long read = 0;
    long seen = 0;
    long skipped = 0;
    for (Path file : Recordings.files(dir)) {
      try (RecordingReader reader = new RecordingReader(file, this::warnOnce)) {
        while (reader.hasNext()) {
          RecordedEvent event = reader.next();
          read++;
          if (vmid == null || event.vmid() == vmid) {
            if (seen++ >= skip) {
              print(event);
            }
          }
        }
        skipped += reader.skipped();
      } catch (RecordingException e) {
        warnOnce(e.getMessage());
      }
    }
    return new Tally(read, seen, skipped);
  }

  /**
   * --follow reads the files again and again: a bad record is worth one warning, not one per poll.
   */
  private void warnOnce(String warning) {
    if (warned.add(warning)) {
      main.console.warn(warning);
    }
  }

  /** Said on stderr why there is no cluster to show; {@code exit}: the command's exit code. */
  private static final class NoCluster extends Exception {
    private final int exit;

    NoCluster(int exit) {
      super(null, null, false, false);
      this.exit = exit;
    }
  }

  /** Every node's ring, or says why there is none: /etc/pve/nodes unreadable, absent or empty. */
  private ClusterEvents.View readOrExplain(Path root, String self) throws NoCluster {
    ClusterEvents.View view;
    try {
      view = readCluster(root, self);
    } catch (IOException e) {
      main.console.error("cannot read /etc/pve/nodes: " + e.getMessage());
      throw new NoCluster(ExitCodes.INTERNAL);
    }
    if (view.nodes().isEmpty() && view.problems().isEmpty()) {
      main.console.error("no cluster here: /etc/pve/nodes is absent or empty (is pmxcfs running?)");
      throw new NoCluster(ExitCodes.USAGE);
    }
    return view;
  }

  /** Every node's data fresh and readable: what exit 0 of a cluster view says. */
  private static boolean allFresh(ClusterEvents.View view) {
    return view.problems().isEmpty()
        && view.nodes().stream().noneMatch(n -> n.stale() || n.problem().isPresent());
  }

  /** Every node's ring, merged; with --follow, then each new entry once. */
  private int clusterEvents(Path root, String self) throws IOException, InterruptedException {
    ClusterEvents.View view;
    try {
      view = readOrExplain(root, self);
    } catch (NoCluster e) {
      return e.exit;
    }
    PrintStream out = main.console.out();
    List<ClusterEvents.Placed> merged = ClusterEvents.merged(view, Optional.ofNullable(vmid));
    List<MigrationStories.Item> items = MigrationStories.group(merged);
    if (main.options.json && !follow) {
      out.println(Json.MAPPER.writeValueAsString(ClusterTimeline.json(view, items)));
    } else if (main.options.json) {
      merged.forEach(p -> out.println(followed(p, items)));
    } else {
      ClusterTimeline.printNodes(out, view);
      ClusterTimeline.printItems(out, items);
    }
    out.flush();
    boolean fresh = allFresh(view);
    if (follow) {
      followCluster(root, self, merged);
    }
    return fresh ? ExitCodes.OK : ExitCodes.HOOK_FAILED;
  }

  private ClusterEvents.View readCluster(Path root, String self) throws IOException {
    return ClusterEvents.read(root, self, Clock.systemUTC(), Duration.ofSeconds(staleAfter));
  }

  /**
   * Reads every node's file every {@link #CLUSTER_POLL_MILLIS} and prints the entries not seen
   * before; what it remembers is what the rings hold now, so it stays bounded.
   */
  private void followCluster(Path root, String self, List<ClusterEvents.Placed> shown)
      throws InterruptedException {
    Map<String, Set<String>> seen = new HashMap<>(); // by node
    shown.forEach(p -> seen.computeIfAbsent(p.node(), n -> new HashSet<>()).add(p.key()));
    long deadline =
        stopAfter == null ? Long.MAX_VALUE : System.nanoTime() + stopAfter * 1_000_000_000L;
    PrintStream out = main.console.out();
    while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline) {
      Thread.sleep(
          Math.min(CLUSTER_POLL_MILLIS, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      ClusterEvents.View view;
      try {
        view = readCluster(root, self);
      } catch (IOException e) {
        warnOnce("cannot read /etc/pve/nodes: " + e.getMessage());
        continue;
      }
      List<ClusterEvents.Placed> merged = ClusterEvents.merged(view, Optional.ofNullable(vmid));
      List<MigrationStories.Item> items = MigrationStories.group(merged);
      for (ClusterEvents.Placed p : merged) {
        if (!seen.getOrDefault(p.node(), Set.of()).contains(p.key())) {
          out.println(main.options.json ? followed(p, items) : followedLine(p, items));
        }
      }
      out.flush();
      remember(seen, view, merged);
    }
  }

  /**
   * What the rings hold now, so the memory stays bounded; a node whose ring could not be read this
   * time keeps what was seen of it, or its whole ring would be printed again once it reads.
   */
  private static void remember(
      Map<String, Set<String>> seen, ClusterEvents.View view, List<ClusterEvents.Placed> merged) {
    Map<String, Set<String>> now = new HashMap<>();
    merged.forEach(p -> now.computeIfAbsent(p.node(), n -> new HashSet<>()).add(p.key()));
    for (ClusterEvents.NodeEvents node : view.nodes()) {
      if (node.problem().isPresent() && seen.containsKey(node.node())) {
        now.putIfAbsent(node.node(), seen.get(node.node()));
      }
    }
    seen.clear();
    seen.putAll(now);
  }

  /** A new event's line, naming the migration it is part of. */
  private static String followedLine(
      ClusterEvents.Placed placed, List<MigrationStories.Item> items) {
    return storyOf(placed, items)
        .map(story -> ClusterTimeline.line(placed) + "  [" + story.heading() + "]")
        .orElse(ClusterTimeline.line(placed));
  }

  /** A new event as one JSON line, with its migration when it is part of one. */
  private static String followed(ClusterEvents.Placed placed, List<MigrationStories.Item> items) {
    ObjectNode event = ClusterTimeline.event(placed);
    storyOf(placed, items).ifPresent(s -> event.set("migration", ClusterTimeline.migration(s)));
    return event.toString();
  }

  private static Optional<MigrationStories.Story> storyOf(
      ClusterEvents.Placed placed, List<MigrationStories.Item> items) {
    return items.stream()
        .filter(MigrationStories.Story.class::isInstance)
        .map(MigrationStories.Story.class::cast)
        .filter(story -> story.steps().contains(placed))
        .findFirst();
  }

  private void print(RecordedEvent event) {
    PrintStream out = main.console.out();
    out.println(main.options.json ? event.json() : event.summary());
    out.flush();
  }
}
