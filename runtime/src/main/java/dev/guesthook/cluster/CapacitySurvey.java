package dev.guesthook.cluster;

import dev.guesthook.devices.Devices;
import dev.guesthook.devices.MdevInstance;
import dev.guesthook.devices.MdevTypeInfo;
import dev.guesthook.devices.NvidiaVgpus;
import dev.guesthook.devices.VirtualFunction;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    return new NodeReport.Capacity(
        mdevSlots(functions), vgpuSlots(functions, held), vfSlots(functions, held), onVfio());
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
      for (MdevTypeInfo type : devices.mdev().types(parent)) {
        int now = used.getOrDefault(parent.value() + " " + type.type().value(), 0L).intValue();
        out.add(
            new NodeReport.MdevSlots(
                parent.value(),
                type.type().value(),
                type.name(),
                type.availableInstances(),
                type.availableInstances() + now));
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

  private List<NodeReport.VfSlots> vfSlots(List<PciAddress> functions, Set<PciAddress> held) {
    List<NodeReport.VfSlots> out = new ArrayList<>();
    for (PciAddress pf : functions) {
      if (!devices.sriov().isPhysicalFunction(pf)) {
        continue;
      }
      List<VirtualFunction> vfs = devices.sriov().vfs(pf);
      out.add(
          new NodeReport.VfSlots(
              pf.value(),
              devices.sriov().freeCount(vfs, held),
              vfs.size(),
              devices.sriov().totalVfs(pf)));
    }
    return out;
  }

  /**
   * Per VF-based GPU and profile: VFs that could take it now (no type yet, the profile creatable,
   * not held) and those that have it already.
   */
  private List<NodeReport.VgpuSlots> vgpuSlots(List<PciAddress> functions, Set<PciAddress> held) {
    NvidiaVgpus nvidia = devices.nvidia();
    List<NodeReport.VgpuSlots> out = new ArrayList<>();
    for (PciAddress gpu : functions) {
      if (!devices.sriov().isPhysicalFunction(gpu) || !nvidia.isVfGpu(gpu)) {
        continue;
      }
      Map<String, int[]> byProfile = new TreeMap<>();
      for (VirtualFunction vf : devices.sriov().vfs(gpu)) {
        countVf(nvidia, vf.address(), held, byProfile);
      }
      byProfile.forEach(
          (profile, counts) ->
              out.add(
                  new NodeReport.VgpuSlots(
                      gpu.value(), profile, counts[0], counts[0] + counts[1])));
    }
    return out;
  }

  /** counts[0]: free VFs that could take the profile; counts[1]: VFs that have it. */
  private static void countVf(
      NvidiaVgpus nvidia, PciAddress vf, Set<PciAddress> held, Map<String, int[]> byProfile) {
    if (!nvidia.hasVfInterface(vf)) {
      return;
    }
    int current = nvidia.currentType(vf);
    for (NvidiaVgpus.VgpuType type : nvidia.creatable(vf)) {
      int[] counts = byProfile.computeIfAbsent(type.name(), k -> new int[2]);
      if (current == 0 && !held.contains(vf)) {
        counts[0]++;
      }
    }
    if (current != 0) {
      byProfile.computeIfAbsent("type " + current, k -> new int[2])[1]++;
    }
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
