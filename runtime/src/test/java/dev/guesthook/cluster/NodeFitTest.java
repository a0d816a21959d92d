package dev.guesthook.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.id.VmId;
import dev.guesthook.pve.Hostpci;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The rules {@code cluster place} applies to one node's report, each with the words a person reads:
 * the sriov-vf plan, the mdev count, hostpci devices, and data an older guesthook did not publish.
 */
class NodeFitTest {
  private static final VmId VM = new VmId(900);
  private static final String PF = "0000:03:00.1";

  private static NodeReport report(
      NodeReport.Capacity capacity, List<NodeReport.Guest> guests, List<NodeReport.Mapping> m) {
    return new NodeReport(
        NodeReport.FORMAT, NodeReport.VERSION, "pve1", "2026-12-06T00:00:00Z", capacity, guests, m);
  }

  private static NodeReport.Capacity capacity(NodeReport.VfSlots vfs, List<String> functions) {
    return new NodeReport.Capacity(
        List.of(
            new NodeReport.MdevSlots("0000:3b:00.0", "nvidia-232", "GRID T4-4Q", 2, 4),
            new NodeReport.MdevSlots("0000:3b:00.0", "nvidia-231", "GRID T4-2Q", 8, 8)),
        List.of(new NodeReport.VgpuSlots("0000:41:00.0", "NVIDIA L40S-8Q", 1, 16, 1158)),
        List.of(vfs),
        List.of("0000:03:0a.0"),
        functions);
  }

  private static final List<String> FUNCTIONS =
      List.of("0000:03:00.1", "0000:03:0a.0", "0000:03:0a.1", "0000:3b:00.0", "0000:41:00.0");

  private static List<String> reasons(
      NodeReport report, List<String> hostpci, Map<String, Object> mdev, Map<String, Object> vf) {
    List<Hostpci> lines = new java.util.ArrayList<>();
    for (int i = 0; i < hostpci.size(); i++) {
      lines.add(Hostpci.parse(i, hostpci.get(i)));
    }
    return new NodeFit(VM, Placement.needs(lines, mdev, vf, Optional.empty()), report).reasons();
  }

  private static Map<String, Object> vfs(Map<?, ?>... entries) {
    return Map.of("vfs", List.of(entries));
  }

  private static final NodeReport NIC =
      report(
          capacity(new NodeReport.VfSlots(PF, 1, 2, 8, 1), FUNCTIONS),
          List.of(
              new NodeReport.Guest(
                  901, List.of(new NodeReport.Holding("0000:03:0a.1", List.of())))),
          List.of(new NodeReport.Mapping("p1-vfs", null, 1, 1)));

  /**
   * qemu-server creates a hostpci line's mdev in {@code mdev_supported_types/<mdev>}: the type's id
   * only ("pci device ... has no type"). The mdev hook's devices take its name too; a hostpci line
   * does not.
   */
  @Test
  void aHostpciMdevIsTheTypesIdNotItsName() {
    assertEquals(
        List.of(), reasons(NIC, List.of("0000:3b:00.0,mdev=nvidia-232"), Map.of(), Map.of()));
    assertEquals(
        List.of(
            "hostpci0: 0000:3b:00.0 has no mdev type 'GRID T4-4Q' (qemu-server takes a type's id);"
                + " it offers: nvidia-232 (GRID T4-4Q), nvidia-231 (GRID T4-2Q)"),
        reasons(NIC, List.of("0000:3b:00.0,mdev=GRID T4-4Q"), Map.of(), Map.of()));
  }

  @Test
  void aRaiseIsRefusedOverTheTotalOrWhileAVfIsOnVfio() {
    assertEquals(
        List.of(
            "sriov-vf.vfs[0]: numvfs: 0000:03:00.1 supports at most 8 VFs (sriov_totalvfs); 9"
                + " asked for"),
        reasons(NIC, List.of(), Map.of(), vfs(Map.of("pf", PF, "numvfs", 9))));
    assertEquals(
        List.of(
            "sriov-vf.vfs[0]: numvfs: cannot raise the VF count of 0000:03:00.1 from 2 to 4: 1 of"
                + " its VFs are on vfio-pci (a guest has them)"),
        reasons(NIC, List.of(), Map.of(), vfs(Map.of("pf", PF, "numvfs", 4))));
  }

  @Test
  void aVfIndexBeyondTheCountAndAVfAnotherGuestHoldsAreRefused() {
    assertEquals(
        List.of(
            "sriov-vf.vfs[0]: vf 2 out of range: 0000:03:00.1 will have 2 VFs (sriov_totalvfs 8)"),
        reasons(NIC, List.of(), Map.of(), vfs(Map.of("pf", PF, "vf", 2))));
    assertEquals(
        List.of("sriov-vf.vfs[0]: 0000:03:0a.1 is another guest's (guesthook's journal)"),
        reasons(NIC, List.of("0000:03:0a.1"), Map.of(), vfs(Map.of("hostpci", 0, "pf", PF))));
  }

  @Test
  void freeVfsAreCountedPerPfAndPerMapping() {
    assertEquals(
        List.of(
            "sriov-vf.vfs[0]: 0000:03:00.1 has 1 free VF(s), 2 asked for; raise its VF count"
                + " (numvfs)",
            "sriov-vf.vfs[2]: mapping 'p1-vfs' has 1 free VF(s) on this node, 2 asked for"),
        reasons(
            NIC,
            List.of(),
            Map.of(),
            vfs(
                Map.of("pf", PF),
                Map.of("pf", PF),
                Map.of("mapping", "p1-vfs"),
                Map.of("mapping", "p1-vfs"))));
  }

  @Test
  void anMdevTypeByIdAndByNameIsOneCountAndAProfileMatchesItsId() {
    Map<String, Object> mdev =
        Map.of(
            "devices",
            List.of(
                Map.of("parent", "0000:3b:00.0", "type", "nvidia-232"),
                Map.of("parent", "0000:3b:00.0", "type", "GRID T4-4Q"),
                Map.of("parent", "0000:3b:00.0", "type", "GRID T4-4Q"),
                Map.of("parent", "0000:41:00.0", "type", "nvidia-1158"),
                Map.of("parent", "0000:41:00.0", "type", "NVIDIA L40S-1B")));
    assertEquals(
        List.of(
            "mdev.devices: no VF of 0000:41:00.0 can take vGPU type 'NVIDIA L40S-1B' now",
            "mdev.devices: 0000:3b:00.0 has 2 free of 'nvidia-232', 3 asked for"),
        reasons(NIC, List.of(), mdev, Map.of()));
  }

  @Test
  void aHostpciDeviceMustBeThereAndDataAnOlderGuesthookLacksIsSaid() {
    assertEquals(
        List.of("hostpci0: no PCI device 0000:0b:00.0 on this node"),
        reasons(NIC, List.of("0000:0b:00.0"), Map.of(), Map.of()));
    NodeReport older =
        report(capacity(new NodeReport.VfSlots(PF, 1, 2, 8, 0), null), List.of(), null);
    assertEquals(
        List.of(
            "hostpci0: this node's data has no device list (published by an older guesthook)",
            "hostpci1: this node's data has no mapping verdicts (published by an older"
                + " guesthook)"),
        reasons(older, List.of("0000:0b:00.0", "mapping=rx6800"), Map.of(), Map.of()));
  }
}
