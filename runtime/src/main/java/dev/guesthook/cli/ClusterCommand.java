package dev.guesthook.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.cluster.ClusterView;
import dev.guesthook.cluster.NodeReport;
import dev.guesthook.cluster.Publisher;
import dev.guesthook.config.Settings;
import dev.guesthook.host.HostPort;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook cluster}: the cluster's nodes as they published themselves in /etc/pve. */
@Command(
    name = "cluster",
    header = "Every node's passthrough capacity and holdings, and where a VM fits, from any node.",
    mixinStandardHelpOptions = true,
    subcommands = {ClusterCommand.Status.class, ClusterPlaceCommand.class},
    description = {
      "In a Proxmox cluster each node's guesthook publishes what it has and holds to",
      "/etc/pve/nodes/<node>/guesthook/status.json (pmxcfs, which every node sees): after every phase",
      "and, from 'guesthook serve', every minute. Any node reads every node's file."
    })
final class ClusterCommand {
  @ParentCommand Main main;

  /**
   * What every cluster view's --json starts with: the reading node, its quorum (null when it cannot
   * tell), the staleness bound, and the per-node file read.
   */
  static ObjectNode header(
      String self, Optional<Boolean> quorate, Duration staleAfter, String file) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("self", self);
    if (quorate.isPresent()) {
      root.put("quorate", quorate.get());
    } else {
      root.putNull("quorate");
    }
    root.put("staleAfterSeconds", staleAfter.toSeconds());
    root.put("file", "/etc/pve/nodes/<node>/guesthook/" + file);
    return root;
  }

  /** Work on every node's data as this node sees it. */
  interface ViewWork {
    Integer run(ClusterView.View view, Settings settings, HostPort host) throws Exception;
  }

  /**
   * Reads every node's data (older than {@code staleAfter} seconds is stale) and runs the work on
   * it; exit 2 for a negative {@code staleAfter} or outside a cluster, 3 when {@code
   * /etc/pve/nodes} cannot be read.
   */
  static int withView(Main main, long staleAfter, ViewWork work) {
    if (staleAfter < 0) {
      main.console.error("--stale-after " + staleAfter + ": a number of seconds, 0 or more");
      return ExitCodes.USAGE;
    }
    return main.withHost(
        (settings, host, node) -> {
          ClusterView.View view;
          try {
            view =
                ClusterView.read(
                    settings.root(), node, Clock.systemUTC(), Duration.ofSeconds(staleAfter));
          } catch (IOException e) {
            main.console.error("cannot read /etc/pve/nodes: " + e.getMessage());
            return ExitCodes.INTERNAL;
          }
          if (view.nodes().isEmpty() && view.problems().isEmpty()) {
            main.console.error(
                "no cluster here: /etc/pve/nodes is absent or empty (is pmxcfs running?)");
            return ExitCodes.USAGE;
          }
          return work.run(view, settings, host);
        });
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "Per node and device class, what is free of what there is, which guest holds which device,",
        "and how old each node's data is:",
        "  mdev   a parent's mediated device type (GVT-g, NVIDIA vGPU on mdev): free/total instances",
        "  vgpu   a vGPU profile on a GPU whose VFs carry it (NVIDIA vGPU 17+): VFs free for it/total",
        "  vfs    an SR-IOV PF: VFs a guest could claim now/the most the PF takes (and enabled now)",
        "  vfio   functions bound to vfio-pci (handed, or ready, to a guest)",
        "  guests what guesthook handed each guest on that node, from its journal",
        "A node's data is as old as its last publish: one that lost quorum (its /etc/pve read-only),",
        "whose guesthook is stopped, or that is down shows data older than --stale-after as STALE.",
        "A node whose file is absent, a link, larger than 256 KiB or not guesthook's format is named",
        "with what is wrong; the other nodes are still shown.",
        "",
        "Exit 0 when every node's data is there and fresh, 1 when a node's is stale or unreadable,",
        "2 when this host is in no cluster (/etc/pve/nodes absent).",
        "",
        "  guesthook cluster status",
        "  guesthook cluster status --json | jq '.nodes[] | {node, ageSeconds}'",
        "  guesthook --root DIR/nodes/pve2 --simulate cluster status     # a simulated cluster"
      })
  static final class Status implements Callable<Integer> {
    @ParentCommand ClusterCommand cluster;

    @Option(
        names = "--stale-after",
        paramLabel = "SECONDS",
        defaultValue = "180",
        description =
            "Data older than this is stale (default: ${DEFAULT-VALUE}, three publish intervals).")
    long staleAfter;

    @Override
    public Integer call() {
      Main main = cluster.main;
      return withView(
          main,
          staleAfter,
          (view, settings, host) -> {
            if (main.options.json) {
              main.console.out().println(Json.MAPPER.writeValueAsString(json(view)));
            } else {
              print(main.console.out(), view);
            }
            boolean allFresh =
                view.problems().isEmpty() && view.nodes().stream().noneMatch(n -> n.stale());
            return allFresh ? ExitCodes.OK : ExitCodes.HOOK_FAILED;
          });
    }

    static void print(PrintStream out, ClusterView.View view) {
      out.println(
          ClusterView.headline(
              "cluster", view.nodes().size(), view.self(), view.quorate(), view.staleAfter()));
      for (ClusterView.NodeEntry entry : view.nodes()) {
        if (entry.problem().isPresent()) {
          out.println(entry.node() + "  NO DATA: " + entry.problem().get());
          continue;
        }
        NodeReport report = entry.report().orElseThrow();
        out.println(
            entry.node()
                + "  "
                + (entry.stale() ? "STALE: " : "")
                + "published "
                + report.publishedAt()
                + ", "
                + entry.age().orElseThrow().toSeconds()
                + " s ago");
        printCapacity(out, report);
      }
      view.problems().forEach(problem -> out.println("problem: " + problem));
    }

    private static void printCapacity(PrintStream out, NodeReport report) {
      NodeReport.Capacity c = report.capacity();
      c.mdev()
          .forEach(
              m ->
                  out.println(
                      row("mdev", m.parent() + " " + m.type() + " (" + m.name() + ")")
                          + "free "
                          + m.free()
                          + "/"
                          + m.total()));
      c.vgpu()
          .forEach(
              v ->
                  out.println(
                      row("vgpu", v.gpu() + " " + v.profile())
                          + "free "
                          + v.free()
                          + "/"
                          + v.total()));
      c.vfs()
          .forEach(
              v ->
                  out.println(
                      row("vfs", v.pf())
                          + "free "
                          + v.free()
                          + "/"
                          + v.total()
                          + " ("
                          + v.enabled()
                          + " enabled)"));
      if (!c.vfio().isEmpty()) {
        out.println(row("vfio", String.join(" ", c.vfio())).stripTrailing());
      }
      for (NodeReport.Guest guest : report.guests()) {
        out.println(
            row("guest", Integer.toString(guest.vmid()))
                + guest.holds().stream()
                    .map(h -> h.device() + " (" + String.join(", ", h.changes()) + ")")
                    .collect(Collectors.joining("; ")));
      }
      if (report.guests().isEmpty()) {
        out.println(row("guests", "none hold a device"));
      }
    }

    private static String row(String kind, String what) {
      return String.format("  %-6s %-46s ", kind, what);
    }

    static ObjectNode json(ClusterView.View view) {
      ObjectNode root =
          ClusterCommand.header(view.self(), view.quorate(), view.staleAfter(), Publisher.FILE);
      var nodes = root.putArray("nodes");
      for (ClusterView.NodeEntry entry : view.nodes()) {
        ObjectNode node = nodes.addObject();
        node.put("node", entry.node());
        node.put("stale", entry.stale());
        entry.age().ifPresent(age -> node.put("ageSeconds", age.toSeconds()));
        entry.problem().ifPresent(problem -> node.put("problem", problem));
        entry
            .report()
            .ifPresent(
                report -> {
                  node.put("publishedAt", report.publishedAt());
                  node.set("capacity", Json.MAPPER.valueToTree(report.capacity()));
                  node.set("guests", Json.MAPPER.valueToTree(report.guests()));
                });
      }
      var problems = root.putArray("problems");
      view.problems().forEach(problems::add);
      return root;
    }
  }
}
