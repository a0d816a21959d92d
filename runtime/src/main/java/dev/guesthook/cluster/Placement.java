package dev.guesthook.cluster;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.Hostpci;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a guest could start now, from every node's published data: what it asks for (its {@code
 * hostpciN} lines, the mdev and sriov-vf hooks' settings) against each node's report ({@link
 * NodeFit}); a node whose data is stale or unreadable is never offered. Reads nothing itself.
 */
public final class Placement {
  /** What a guest asks of a node; {@code settingsProblem}: its settings do not load at all. */
  public record Needs(
      List<Hostpci> hostpci,
      List<VgpuAsk> vgpus,
      List<VfAsk> vfs,
      Optional<String> settingsProblem) {}

  /** An entry of the mdev hook's {@code devices}: a parent and a type, name or profile. */
  public record VgpuAsk(PciAddress parent, String type) {}

  /** An entry of the sriov-vf hook's {@code vfs}, named as the hook names it ({@code where}). */
  public record VfAsk(
      String where,
      Optional<PciAddress> pf,
      Optional<Integer> vf,
      Optional<Integer> hostpci,
      Optional<String> mapping,
      Optional<Integer> numvfs) {}

  /** One node's answer: fits, or the reasons it does not, with the data's age. */
  public record Verdict(
      String node,
      boolean fits,
      List<String> reasons,
      boolean stale,
      Optional<Duration> age,
      Optional<String> publishedAt) {}

  private Placement() {}

  /** Each node's verdict for the guest, in the view's order. */
  public static List<Verdict> of(VmId vmid, Needs needs, ClusterView.View view) {
    List<Verdict> out = new ArrayList<>();
    for (ClusterView.NodeEntry entry : view.nodes()) {
      out.add(verdict(vmid, needs, entry, view.staleAfter()));
    }
    return out;
  }

  private static Verdict verdict(
      VmId vmid, Needs needs, ClusterView.NodeEntry entry, Duration staleAfter) {
    if (entry.problem().isPresent()) {
      return new Verdict(
          entry.node(),
          false,
          List.of(entry.problem().get()),
          true,
          Optional.empty(),
          Optional.empty());
    }
    NodeReport report = entry.report().orElseThrow();
    Optional<String> at = Optional.of(report.publishedAt());
    if (entry.stale()) {
      String why =
          "its data is stale (published "
              + report.publishedAt()
              + ", "
              + entry.age().orElseThrow().toSeconds()
              + " s ago, over "
              + staleAfter.toSeconds()
              + " s): not offered";
      return new Verdict(entry.node(), false, List.of(why), true, entry.age(), at);
    }
    List<String> reasons =
        needs.settingsProblem().isPresent()
            ? List.of("settings: " + needs.settingsProblem().get())
            : new NodeFit(vmid, needs, report).reasons();
    return new Verdict(entry.node(), reasons.isEmpty(), reasons, false, entry.age(), at);
  }

  /**
   * The asks in the hooks' typed settings ({@code mdev}'s and {@code sriov-vf}'s, as the hooks get
   * them: ids typed, numbers as numbers).
   */
  public static Needs needs(
      List<Hostpci> hostpci,
      Map<String, Object> mdev,
      Map<String, Object> sriovVf,
      Optional<String> settingsProblem) {
    List<VgpuAsk> vgpus = new ArrayList<>();
    for (Map<?, ?> d : entries(mdev.get("devices"))) {
      vgpus.add(new VgpuAsk(pci(d.get("parent")), String.valueOf(d.get("type"))));
    }
    List<VfAsk> vfs = new ArrayList<>();
    List<Map<?, ?>> entries = entries(sriovVf.get("vfs"));
    for (int i = 0; i < entries.size(); i++) {
      Map<?, ?> e = entries.get(i);
      vfs.add(
          new VfAsk(
              "sriov-vf.vfs[" + i + "]",
              Optional.ofNullable(e.get("pf")).map(Placement::pci),
              number(e.get("vf")),
              number(e.get("hostpci")),
              Optional.ofNullable(e.get("mapping")).map(String::valueOf),
              number(e.get("numvfs"))));
    }
    return new Needs(hostpci, vgpus, vfs, settingsProblem);
  }

  private static List<Map<?, ?>> entries(Object list) {
    List<Map<?, ?>> out = new ArrayList<>();
    if (list instanceof List<?> items) {
      items.stream().filter(Map.class::isInstance).forEach(m -> out.add((Map<?, ?>) m));
    }
    return out;
  }

  private static PciAddress pci(Object value) {
    return value instanceof PciAddress address ? address : PciAddress.parse(String.valueOf(value));
  }

  private static Optional<Integer> number(Object value) {
    return value instanceof Number n ? Optional.of(n.intValue()) : Optional.empty();
  }
}
