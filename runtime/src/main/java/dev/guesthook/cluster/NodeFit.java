package dev.guesthook.cluster;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.Hostpci;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Why a guest could not start on one node now, from that node's report: the rules a pre-start there
 * applies, evaluated on the published counts instead of sysfs. Each rule's wording is the rule's
 * own where it has one: pci-mapping's verdict is the node's {@code MappingCheck} result as
 * published; the mdev hook's fit is {@code Vgpus.whyNotFit}'s count (a type named by id and by name
 * is one type); the sriov-vf hook's plan (its {@code planned}, {@code vfCounts}, {@code
 * SriovDevices.whyNotRaise}, {@code checkNamedVf} and {@code requireFreeVfs}) is mirrored here from
 * its Groovy, and {@code ClusterPlaceTest} runs a pre-start on each node to hold the two to the
 * same answer. Beyond pre-start, a {@code hostpciN} function must exist on the node and a {@code
 * hostpciN ... mdev=} type on an mdev parent must have a free instance (qemu-server refuses the
 * start otherwise).
 */
final class NodeFit {
  private static final String OLDER =
      "this node's data has no %s (published by an older guesthook)";

  private final VmId vmid;
  private final Placement.Needs needs;
  private final NodeReport report;
  private final List<String> out = new ArrayList<>();

  NodeFit(VmId vmid, Placement.Needs needs, NodeReport report) {
    this.vmid = vmid;
    this.needs = needs;
    this.report = report;
  }

  /** Every reason the guest could not start here; empty when it fits. */
  List<String> reasons() {
    hostpciLines();
    vgpus();
    new VfPlan().check();
    return out;
  }

  // hostpciN lines

  private void hostpciLines() {
    for (Hostpci h : needs.hostpci()) {
      String where = "hostpci" + h.index();
      if (h.mapping().isPresent()) {
        mapping(where, h.mapping().get())
            .ifPresent(
                m -> {
                  if (m.refusal() != null) {
                    out.add(where + ": " + m.refusal());
                  }
                });
      } else if (!madeBySriovVf(h.index())) {
        present(where, h);
      }
    }
  }

  /** The sriov-vf hook makes this hostpci's VF at pre-start: its plan is judged, not the VF. */
  private boolean madeBySriovVf(int index) {
    return needs.vfs().stream()
        .anyMatch(a -> a.hostpci().equals(Optional.of(index)) && a.pf().isPresent());
  }

  private void present(String where, Hostpci h) {
    List<String> functions = report.capacity().functions();
    if (functions == null) {
      out.add(where + ": " + OLDER.formatted("device list"));
      return;
    }
    h.functions().stream()
        .filter(f -> !functions.contains(f.value()))
        .forEach(f -> out.add(where + ": no PCI device " + f + " on this node"));
    for (String slot : h.slots()) {
      String full = slot.length() == 5 ? "0000:" + slot : slot;
      if (functions.stream().noneMatch(f -> f.startsWith(full + "."))) {
        out.add(where + ": no PCI device at " + Printable.of(slot) + " on this node");
      }
    }
  }

  /** The node's verdict on a mapping; absent (and said) when it published none for it. */
  private Optional<NodeReport.Mapping> mapping(String where, String id) {
    if (report.mappings() == null) {
      out.add(where + ": " + OLDER.formatted("mapping verdicts"));
      return Optional.empty();
    }
    Optional<NodeReport.Mapping> found =
        report.mappings().stream().filter(m -> m.id().equals(id)).findFirst();
    if (found.isEmpty()) {
      out.add(
          where
              + ": mapping '"
              + Printable.of(id)
              + "' is not among the mappings this node published (not in"
              + " /etc/pve/mapping/pci.cfg, or added since)");
    }
    return found;
  }

  // mdev / vGPU: the mdev hook's devices and Proxmox's hostpciN mdev= on an mdev parent

  /** Where a type draws from: a parent's mdev type, or a GPU's VFs that can take a profile. */
  private record Pool(String where, PciAddress parent, String type, int free) {}

  private void vgpus() {
    Map<String, Pool> pools = new LinkedHashMap<>();
    Map<String, Integer> asked = new LinkedHashMap<>();
    for (Placement.VgpuAsk ask : needs.vgpus()) {
      pool("mdev.devices", ask.parent(), ask.type(), false).ifPresent(p -> ask(pools, asked, p));
    }
    for (Hostpci h : needs.hostpci()) {
      if (h.mdev().isPresent() && h.mapping().isEmpty()) {
        h.functions().stream()
            .filter(this::isMdevParent)
            .forEach(
                f ->
                    pool("hostpci" + h.index(), f, h.mdev().get(), true)
                        .ifPresent(p -> ask(pools, asked, p)));
      }
    }
    pools.forEach(
        (key, p) -> {
          int n = asked.get(key);
          if (p.free() < n) {
            out.add(
                p.where()
                    + ": "
                    + p.parent()
                    + " has "
                    + p.free()
                    + " free of '"
                    + Printable.of(p.type())
                    + "', "
                    + n
                    + " asked for");
          }
        });
  }

  private static void ask(Map<String, Pool> pools, Map<String, Integer> asked, Pool pool) {
    String key = pool.parent() + " " + pool.type();
    pools.putIfAbsent(key, pool);
    asked.merge(key, 1, Integer::sum);
  }

  private boolean isMdevParent(PciAddress function) {
    return report.capacity().mdev().stream().anyMatch(m -> m.parent().equals(function.value()));
  }

  /**
   * {@code byIdOnly}: a hostpci line's {@code mdev=}, which qemu-server looks up as a folder of
   * {@code mdev_supported_types} (the type's id); the mdev hook (MediatedDevices.type) takes its
   * name too.
   */
  private Optional<Pool> pool(String where, PciAddress parent, String type, boolean byIdOnly) {
    List<NodeReport.MdevSlots> types =
        report.capacity().mdev().stream().filter(m -> m.parent().equals(parent.value())).toList();
    if (!types.isEmpty()) {
      Optional<NodeReport.MdevSlots> t =
          types.stream()
              .filter(m -> m.type().equals(type) || (!byIdOnly && m.name().equals(type)))
              .findFirst();
      if (t.isEmpty()) {
        out.add(
            where
                + ": "
                + parent
                + " has no mdev type '"
                + Printable.of(type)
                + (byIdOnly ? "' (qemu-server takes a type's id)" : "'")
                + "; it offers: "
                + types.stream()
                    .map(m -> m.type() + " (" + m.name() + ")")
                    .collect(Collectors.joining(", ")));
      }
      return t.map(m -> new Pool(where, parent, m.type(), m.free()));
    }
    List<NodeReport.VgpuSlots> profiles =
        report.capacity().vgpu().stream().filter(v -> v.gpu().equals(parent.value())).toList();
    if (!profiles.isEmpty()) {
      // NvidiaVgpus.matches: its id, nvidia-<id> or its name
      Optional<NodeReport.VgpuSlots> p =
          profiles.stream()
              .filter(
                  v ->
                      type.equals(Integer.toString(v.id()))
                          || type.equals("nvidia-" + v.id())
                          || type.equals(v.profile()))
              .findFirst();
      if (p.isEmpty()) {
        out.add(
            where
                + ": no VF of "
                + parent
                + " can take vGPU type '"
                + Printable.of(type)
                + "' now");
      }
      return p.map(v -> new Pool(where, parent, type, v.free()));
    }
    out.add(
        where
            + ": "
            + (has(parent)
                ? parent + " offers no vGPU: no mdev types and no VFs with an nvidia/ interface"
                : "no PCI device " + parent + " on this node"));
    return Optional.empty();
  }

  private boolean has(PciAddress function) {
    List<String> functions = report.capacity().functions();
    return functions != null && functions.contains(function.value());
  }

  /** Whether another guest's journal on this node names the device. */
  private boolean heldByAnother(PciAddress device) {
    return report.guests().stream()
        .filter(g -> g.vmid() != vmid.value())
        .anyMatch(g -> g.holds().stream().anyMatch(h -> h.device().equals(device.value())));
  }

  /** The sriov-vf hook's plan, entry by entry, then the counts per PF and per mapping. */
  private final class VfPlan {
    private final List<Placement.VfAsk> usable = new ArrayList<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();

    void check() {
      needs.vfs().forEach(this::planned);
      vfCounts();
      usable.forEach(this::named);
      freeVfs();
    }

    private void planned(Placement.VfAsk a) {
      String where = a.where();
      if (a.pf().isEmpty() && a.hostpci().isEmpty() && a.mapping().isEmpty()) {
        out.add(where + ": needs pf, hostpci or mapping");
      } else if (a.numvfs().isPresent() && a.pf().isEmpty()) {
        out.add(where + ": numvfs needs pf");
      } else if (a.pf().isPresent() && slots(a.pf().get()).isEmpty()) {
        out.add(
            where
                + ": pf "
                + a.pf().get()
                + ": "
                + (has(a.pf().get())
                    ? "not an SR-IOV physical function"
                    : "no such PCI device on this host"));
      } else if (a.hostpci().isPresent() && hostpciVf(a).isEmpty()) {
        out.add(
            where
                + ": hostpci: the VM has no hostpci"
                + a.hostpci().get()
                + " naming one PCI function");
      } else if (a.mapping().isPresent() && !mappingHasDevices(a)) {
        return;
      } else {
        usable.add(a);
      }
    }

    private boolean mappingHasDevices(Placement.VfAsk a) {
      Optional<NodeReport.Mapping> m = mapping(a.where(), a.mapping().get());
      if (m.isPresent() && m.get().entries() == 0) {
        out.add(
            a.where()
                + ": mapping '"
                + Printable.of(a.mapping().get())
                + "' has no device on node "
                + report.node());
      }
      return m.isPresent() && m.get().entries() > 0;
    }

    /** The VF count each PF will have, each raise checked as SriovDevices.whyNotRaise does. */
    private void vfCounts() {
      Map<String, List<Placement.VfAsk>> byPf = new LinkedHashMap<>();
      usable.stream()
          .filter(a -> a.pf().isPresent())
          .forEach(a -> byPf.computeIfAbsent(a.pf().get().value(), k -> new ArrayList<>()).add(a));
      byPf.forEach(
          (pf, entries) -> {
            NodeReport.VfSlots slots = slots(PciAddress.parse(pf)).orElseThrow();
            Optional<Placement.VfAsk> most =
                entries.stream()
                    .filter(a -> a.numvfs().isPresent())
                    .max((x, y) -> Integer.compare(x.numvfs().get(), y.numvfs().get()));
            most.ifPresent(m -> whyNotRaise(m, slots));
            counts.put(pf, Math.max(most.map(m -> m.numvfs().get()).orElse(0), slots.enabled()));
          });
    }

    private void whyNotRaise(Placement.VfAsk most, NodeReport.VfSlots slots) {
      int wanted = most.numvfs().get();
      String where = most.where() + ": numvfs: ";
      if (slots.enabled() >= wanted) {
        return;
      }
      if (wanted > slots.total()) {
        out.add(
            where
                + slots.pf()
                + " supports at most "
                + slots.total()
                + " VFs (sriov_totalvfs); "
                + wanted
                + " asked for");
      } else if (slots.vfio() > 0) {
        out.add(
            where
                + "cannot raise the VF count of "
                + slots.pf()
                + " from "
                + slots.enabled()
                + " to "
                + wanted
                + ": "
                + slots.vfio()
                + " of its VFs are on vfio-pci (a guest has them)");
      }
    }

    /** checkNamedVf: an index in range, a hostpci VF there (or made by a raise) and no other's. */
    private void named(Placement.VfAsk a) {
      if (a.vf().isPresent() && a.pf().isPresent()) {
        int will = counts.get(a.pf().get().value());
        if (a.vf().get() >= will) {
          out.add(
              a.where()
                  + ": vf "
                  + a.vf().get()
                  + " out of range: "
                  + a.pf().get()
                  + " will have "
                  + will
                  + " VFs (sriov_totalvfs "
                  + slots(a.pf().get()).orElseThrow().total()
                  + ")");
        }
      }
      Optional<PciAddress> vf = a.hostpci().flatMap(i -> hostpciVf(a));
      if (vf.isEmpty()) {
        return;
      }
      if (heldByAnother(vf.get())) {
        out.add(a.where() + ": " + vf.get() + " is another guest's (guesthook's journal)");
      } else if (!has(vf.get()) && !raises(a)) {
        out.add(a.where() + ": " + vf.get() + " (hostpci) is not a VF on this host");
      }
    }

    private boolean raises(Placement.VfAsk a) {
      return a.pf()
          .map(pf -> counts.get(pf.value()) > slots(pf).orElseThrow().enabled())
          .orElse(false);
    }

    /** requireFreeVfs: entries that take any free VF find that many, per PF and per mapping. */
    private void freeVfs() {
      Map<String, List<Placement.VfAsk>> byPf = new LinkedHashMap<>();
      Map<String, List<Placement.VfAsk>> byMapping = new LinkedHashMap<>();
      for (Placement.VfAsk a : usable) {
        if (a.mapping().isPresent()) {
          byMapping.computeIfAbsent(a.mapping().get(), k -> new ArrayList<>()).add(a);
        } else if (a.pf().isPresent() && a.vf().isEmpty() && a.hostpci().isEmpty()) {
          byPf.computeIfAbsent(a.pf().get().value(), k -> new ArrayList<>()).add(a);
        }
      }
      byPf.forEach(
          (pf, entries) -> {
            NodeReport.VfSlots slots = slots(PciAddress.parse(pf)).orElseThrow();
            int free = slots.free() + counts.get(pf) - slots.enabled() - namedFreeVfs(pf);
            if (free < entries.size()) {
              out.add(
                  entries.get(0).where()
                      + ": "
                      + pf
                      + " has "
                      + free
                      + " free VF(s), "
                      + entries.size()
                      + " asked for; raise its VF count (numvfs)");
            }
          });
      byMapping.forEach(
          (id, entries) -> {
            int free =
                report.mappings().stream()
                    .filter(m -> m.id().equals(id))
                    .findFirst()
                    .orElseThrow()
                    .freeVfs();
            if (free < entries.size()) {
              out.add(
                  entries.get(0).where()
                      + ": mapping '"
                      + Printable.of(id)
                      + "' has "
                      + free
                      + " free VF(s) on this node, "
                      + entries.size()
                      + " asked for");
            }
          });
    }

    /** VFs of the PF this plan names by hostpci that are free now: counted free, yet not free. */
    private int namedFreeVfs(String pf) {
      return (int)
          usable.stream()
              .filter(a -> a.pf().map(p -> p.value().equals(pf)).orElse(false))
              .flatMap(a -> hostpciVf(a).stream())
              .filter(
                  vf ->
                      has(vf)
                          && !report.capacity().vfio().contains(vf.value())
                          && !heldByAnother(vf))
              .count();
    }

    private Optional<PciAddress> hostpciVf(Placement.VfAsk a) {
      return a.hostpci()
          .flatMap(
              i ->
                  needs.hostpci().stream()
                      .filter(h -> h.index() == i && h.functions().size() == 1)
                      .map(h -> h.functions().get(0))
                      .findFirst());
    }
  }

  private Optional<NodeReport.VfSlots> slots(PciAddress pf) {
    return report.capacity().vfs().stream().filter(v -> v.pf().equals(pf.value())).findFirst();
  }
}
