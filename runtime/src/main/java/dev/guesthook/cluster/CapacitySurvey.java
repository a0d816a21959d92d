package dev.guesthook.cluster;

import dev.guesthook.devices.Devices;
import dev.guesthook.devices.MdevInstance;
import dev.guesthook.devices.MediatedDevices;
import dev.guesthook.devices.NvidiaVgpus;
import dev.guesthook.devices.VirtualFunction;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * A node's passthrough capacity as sysfs shows it now, read through the port: mdev types with
 * free/total per parent, vGPU profiles per VF-based GPU, PFs with free/total VFs, functions on
 * vfio-pci. Reads only. {@code held} is every device a guest's journal names: such a VF is not
 * free.
 */
final class CapacitySurvey {
  private final HostPort host;
  private final Devices devices;

  CapacitySurvey(HostPort host) {
    this.host = host;
    this.devices = new Devices(host);
  }

  NodeReport.Capacity survey(Set<PciAddress> held) {
    List<PciAddress> functions = pciFunctions();
    // Each PF's VFs are listed once: the VF and the vGPU counts both need them.
    Map<PciAddress, List<VirtualFunction>> vfsByPf = new TreeMap<>();
    Set<PciAddress> vfs = new HashSet<>();
    for (PciAddress function : functions) {
      if (!vfs.contains(function) && devices.sriov().isPhysicalFunction(function)) {
        List<VirtualFunction> its = devices.sriov().vfsCountedOnce(function);
        vfsByPf.put(function, its);
        its.forEach(vf -> vfs.add(vf.address()));
      }
    }
    // A VF is no PF and no mdev parent (NVIDIA's VF-based vGPU uses its own interface): its
    // function is not asked again, a call saved for each of a node's many VFs.
    List<PciAddress> notVfs = functions.stream().filter(f -> !vfs.contains(f)).toList();
    return new NodeReport.Capacity(
        mdevSlots(notVfs),
        vgpuSlots(vfsByPf, held),
        vfSlots(vfsByPf, held),
        onVfio(),
        functions.stream().map(PciAddress::value).toList());
  }

  private List<PciAddress> pciFunctions() {
    if (!host.exists(SysfsPaths.PCI_DEVICES)) {
      return List.of();
    }
    return host.list(SysfsPaths.PCI_DEVICES).stream()
        .filter(PciAddress::isValid)
        .map(PciAddress::new)
        .sorted()
        .toList();
  }

  private List<NodeReport.MdevSlots> mdevSlots(List<PciAddress> functions) {
    List<NodeReport.MdevSlots> out = new ArrayList<>();
    Map<String, Long> used = instancesByParentAndType();
    for (PciAddress parent : functions) {
      if (!devices.mdev().isParent(parent)) {
        continue;
      }
      for (MediatedDevices.TypeCount type : devices.mdev().counts(parent)) {
        int now = used.getOrDefault(parent.value() + " " + type.type().value(), 0L).intValue();
        out.add(
            new NodeReport.MdevSlots(
                parent.value(),
                type.type().value(),
                type.name(),
                type.available(),
                type.available() + now));
      }
    }
    return out;
  }

  private Map<String, Long> instancesByParentAndType() {
    if (!host.exists(SysfsPaths.MDEV_DEVICES)) {
      return Map.of();
    }
    return devices.mdev().instances().stream()
        .collect(
            Collectors.groupingBy(
                (MdevInstance i) -> i.parent().value() + " " + i.type().value(),
                Collectors.counting()));
  }

  private List<NodeReport.VfSlots> vfSlots(
      Map<PciAddress, List<VirtualFunction>> vfsByPf, Set<PciAddress> held) {
    List<NodeReport.VfSlots> out = new ArrayList<>();
    vfsByPf.forEach(
        (pf, vfs) ->
            out.add(
                new NodeReport.VfSlots(
                    pf.value(),
                    devices.sriov().freeCount(vfs, held),
                    vfs.size(),
                    devices.sriov().totalVfs(pf),
                    (int)
                        vfs.stream()
                            .filter(vf -> vf.driver().equals(Optional.of(DriverName.VFIO_PCI)))
                            .count())));
    return out;
  }

  /**
   * Per GPU whose VFs carry NVIDIA's vGPU interface, and per profile: VFs that could take it now
   * (no type yet, the profile creatable, not held) and those that have it already.
   */
  private List<NodeReport.VgpuSlots> vgpuSlots(
      Map<PciAddress, List<VirtualFunction>> vfsByPf, Set<PciAddress> held) {
    NvidiaVgpus nvidia = devices.nvidia();
    List<NodeReport.VgpuSlots> out = new ArrayList<>();
    vfsByPf.forEach(
        (gpu, vfs) -> {
          if (!vfs.isEmpty() && nvidia.hasVfInterface(vfs.get(0).address())) {
            profiles(nvidia, vfs, held)
                .forEach(
                    (profile, counts) ->
                        out.add(
                            new NodeReport.VgpuSlots(
                                gpu.value(),
                                profile,
                                counts[0],
                                counts[0] + counts[1],
                                counts[2])));
          }
        });
    return out;
  }

  /**
   * Per profile of one GPU: [VFs that could take it now, VFs that have it, its type id]. A VF with
   * no type that no guest holds is free for every profile it could take; the driver shows the same
   * creatable types on each such VF of a GPU, so one VF's list is read, not each's. A VF's type is
   * named as the creatable list names it, else {@code type <id>}.
   */
  private static Map<String, int[]> profiles(
      NvidiaVgpus nvidia, List<VirtualFunction> vfs, Set<PciAddress> held) {
    Map<Integer, Integer> takenByType = new TreeMap<>();
    List<PciAddress> free = new ArrayList<>();
    for (VirtualFunction vf : vfs) {
      OptionalInt type = typeOf(nvidia, vf.address());
      if (type.isPresent() && type.getAsInt() != 0) {
        takenByType.merge(type.getAsInt(), 1, Integer::sum);
      } else if (type.isPresent() && !held.contains(vf.address())) {
        free.add(vf.address());
      }
    }
    List<NvidiaVgpus.VgpuType> creatable =
        free.isEmpty() ? List.of() : nvidia.creatable(free.get(0));
    Map<String, int[]> byProfile = new TreeMap<>();
    creatable.forEach(t -> profile(byProfile, t.name(), t.id())[0] += free.size());
    takenByType.forEach((id, count) -> profile(byProfile, nameOf(id, creatable), id)[1] += count);
    return byProfile;
  }

  private static int[] profile(Map<String, int[]> byProfile, String name, int id) {
    return byProfile.computeIfAbsent(name, k -> new int[] {0, 0, id});
  }

  private static OptionalInt typeOf(NvidiaVgpus nvidia, PciAddress vf) {
    try {
      return OptionalInt.of(nvidia.currentType(vf));
    } catch (HostException | NumberFormatException noVgpuInterface) {
      return OptionalInt.empty();
    }
  }

  private static String nameOf(int id, List<NvidiaVgpus.VgpuType> creatable) {
    return creatable.stream()
        .filter(t -> t.id() == id)
        .map(NvidiaVgpus.VgpuType::name)
        .findFirst()
        .orElse("type " + id);
  }

  private List<String> onVfio() {
    try {
      return host.list(SysfsPaths.driver(DriverName.VFIO_PCI)).stream()
          .filter(PciAddress::isValid)
          .sorted()
          .toList();
    } catch (HostException noDriver) {
      return List.of();
    }
  }
}
