package dev.guesthook.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.cluster.ClusterView;
import dev.guesthook.cluster.Placement;
import dev.guesthook.config.Settings;
import dev.guesthook.core.settings.GuestSettings;
import dev.guesthook.engine.HookReadiness;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.json.Json;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import dev.guesthook.yaml.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook cluster place VMID}: on which nodes the guest could start now, and why not. */
@Command(
    name = "place",
    mixinStandardHelpOptions = true,
    description = {
      "On which nodes this VM could start now, from every node's published data, and why not on the",
      "others. It asks each node what a pre-start there asks of it:",
      "  hostpciN: mapping=ID   the node's pci-mapping verdict (its hardware against pci.cfg's entry)",
      "  hostpciN: host=...     the functions exist there; mdev=TYPE on an mdev parent has one free",
      "  mdev.devices           the mdev hook's types and vGPU profiles, enough free on each parent",
      "  sriov-vf.vfs           the sriov-vf hook's plan: the PF, the VF count it can reach, free VFs",
      "  settings               the VM's guesthook settings load (they fail the start everywhere)",
      "The VM's config is read where it is (/etc/pve/nodes/<node>/qemu-server/VMID.conf), its",
      "settings as its hooks get them on this node (guesthook.yaml, /etc/pve/guesthook/VMID.yaml).",
      "A node whose data is stale (older than --stale-after) or unreadable is never offered: its",
      "line says why. Counts are as of each node's last publish; a start elsewhere may take them.",
      "Not judged from here: device health (the device-health gate), devices in use by a running VM",
      "(gpu-release), qemu-server's reservations; the pre-start on the node still checks them.",
      "",
      "Exit 0 when some node fits, 1 when no node fits, 2 when VMID is not a VMID, no node has",
      "its config, or this host is in no cluster.",
      "",
      "  guesthook cluster place 4711",
      "  guesthook cluster place 4711 --json | jq -r '.fits[]'",
      "  guesthook --root DIR/nodes/pve2 --simulate cluster place 402     # a simulated cluster"
    })
final class ClusterPlaceCommand implements Callable<Integer> {
  @ParentCommand ClusterCommand cluster;

  @Parameters(index = "0", paramLabel = "VMID", description = "The VM to place.")
  String vmid;

  @Option(
      names = "--stale-after",
      paramLabel = "SECONDS",
      defaultValue = "180",
      description = "Data older than this is stale (default: ${DEFAULT-VALUE}).")
  long staleAfter;

  @Override
  public Integer call() {
    Main main = cluster.main;
    if (!VmId.isValid(vmid) || staleAfter < 0) {
      main.console.error(
          staleAfter < 0
              ? "--stale-after " + staleAfter + ": a number of seconds, 0 or more"
              : invalidVmid());
      return ExitCodes.USAGE;
    }
    VmId id = VmId.parse(vmid);
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
          if (view.nodes().isEmpty()) {
            main.console.error(
                "no cluster here: /etc/pve/nodes is absent or empty (is pmxcfs running?)");
            return ExitCodes.USAGE;
          }
          return place(main, view, settings, host, id);
        });
  }

  private String invalidVmid() {
    try {
      VmId.parse(vmid);
      return "";
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private int place(Main main, ClusterView.View view, Settings settings, HostPort host, VmId id)
      throws Exception {
    Pve pve = new Pve(host);
    Optional<String> home = Optional.empty();
    VmConfig config = null;
    try {
      for (ClusterView.NodeEntry entry : view.nodes()) {
        Optional<VmConfig> there = pve.configOnNode(entry.node(), id);
        if (there.isPresent()) {
          home = Optional.of(entry.node());
          config = there.get();
          break;
        }
      }
    } catch (PveFileException e) {
      main.console.error(e.getMessage());
      return ExitCodes.USAGE;
    }
    if (home.isEmpty()) {
      main.console.error(
          "no VM "
              + id
              + " in this cluster: no /etc/pve/nodes/<node>/qemu-server/"
              + id
              + ".conf on "
              + view.nodes().stream()
                  .map(ClusterView.NodeEntry::node)
                  .collect(Collectors.joining(", ")));
      return ExitCodes.USAGE;
    }
    Placement.Needs needs = needs(settings, host, id, config);
    List<Placement.Verdict> verdicts = Placement.of(id, needs, view);
    if (main.options.json) {
      main.console
          .out()
          .println(Json.MAPPER.writeValueAsString(json(id, home.get(), view, verdicts)));
    } else {
      print(main.console.out(), id, home.get(), verdicts);
    }
    return verdicts.stream().anyMatch(Placement.Verdict::fits)
        ? ExitCodes.OK
        : ExitCodes.HOOK_FAILED;
  }

  /** What the VM asks: its hostpci lines and its hooks' settings, as its pre-start reads them. */
  private static Placement.Needs needs(Settings settings, HostPort host, VmId id, VmConfig config)
      throws PveFileException {
    GuestSettings hooks;
    try {
      hooks = HookReadiness.settings(settings, host, id);
    } catch (ConfigException e) {
      return Placement.needs(
          config.hostpci(), java.util.Map.of(), java.util.Map.of(), Optional.of(e.getMessage()));
    }
    return Placement.needs(
        config.hostpci(), hooks.of("mdev"), hooks.of("sriov-vf"), Optional.empty());
  }

  static void print(PrintStream out, VmId id, String home, List<Placement.Verdict> verdicts) {
    out.println("VM " + id + " (config on " + home + "): where it could start now");
    for (Placement.Verdict v : verdicts) {
      String age = v.age().map(a -> " (data " + a.toSeconds() + " s old)").orElse("");
      if (v.fits()) {
        out.println(v.node() + "  fits" + age);
      } else {
        out.println(v.node() + "  no: " + String.join("; ", v.reasons()) + (v.stale() ? "" : age));
      }
    }
  }

  static ObjectNode json(
      VmId id, String home, ClusterView.View view, List<Placement.Verdict> verdicts) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    root.put("vmid", id.value());
    root.put("configOn", home);
    root.put("staleAfterSeconds", view.staleAfter().toSeconds());
    ArrayNode fits = root.putArray("fits");
    verdicts.stream().filter(Placement.Verdict::fits).forEach(v -> fits.add(v.node()));
    ArrayNode nodes = root.putArray("nodes");
    for (Placement.Verdict v : verdicts) {
      ObjectNode node = nodes.addObject();
      node.put("node", v.node());
      node.put("fits", v.fits());
      ArrayNode reasons = node.putArray("reasons");
      v.reasons().forEach(reasons::add);
      node.put("stale", v.stale());
      v.age().ifPresent(age -> node.put("ageSeconds", age.toSeconds()));
      v.publishedAt().ifPresent(at -> node.put("publishedAt", at));
    }
    return root;
  }
}
