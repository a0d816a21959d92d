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
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
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
    header = "On which nodes a VM could start now, and why not on the others.",
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
    Optional<VmId> id = main.vmidArgument(vmid);
    if (id.isEmpty()) {
      return ExitCodes.USAGE;
    }
    return ClusterCommand.withView(
        main, staleAfter, (view, settings, host) -> place(main, view, settings, host, id.get()));
  }

  /** Where the VM's config is, and the config. */
  private record Home(String node, VmConfig config) {}

  private int place(Main main, ClusterView.View view, Settings settings, HostPort host, VmId id)
      throws Exception {
    Optional<Home> home;
    Placement.Needs needs;
    try {
      home = home(new Pve(host), view, id);
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
      needs = needs(settings, host, id, home.get().config());
    } catch (PveFileException e) {
      main.console.error(e.getMessage());
      return ExitCodes.USAGE;
    }
    List<Placement.Verdict> verdicts = Placement.of(id, needs, view);
    String node = home.get().node();
    if (main.options.json) {
      main.console.out().println(Json.MAPPER.writeValueAsString(json(id, node, view, verdicts)));
    } else {
      print(main.console.out(), id, node, verdicts);
    }
    return verdicts.stream().anyMatch(Placement.Verdict::fits)
        ? ExitCodes.OK
        : ExitCodes.HOOK_FAILED;
  }

  /** The first node whose folder holds the VM's config (a VM's config is on one node). */
  private static Optional<Home> home(Pve pve, ClusterView.View view, VmId id)
      throws PveFileException {
    for (ClusterView.NodeEntry entry : view.nodes()) {
      Optional<VmConfig> there = pve.configOnNode(entry.node(), id);
      if (there.isPresent()) {
        return Optional.of(new Home(entry.node(), there.get()));
      }
    }
    return Optional.empty();
  }

  /** What the VM asks: its hostpci lines and its hooks' settings, as its pre-start reads them. */
  private static Placement.Needs needs(Settings settings, HostPort host, VmId id, VmConfig config)
      throws PveFileException {
    GuestSettings hooks;
    try {
      hooks = HookReadiness.settings(settings, host, id);
    } catch (ConfigException e) {
      return Placement.needs(config.hostpci(), Map.of(), Map.of(), Optional.of(e.getMessage()));
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
