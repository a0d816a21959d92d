package dev.guesthook.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.devices.Devices;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Free and total per device class, as the simulated kernel shows them before and after a change.
 */
class CapacitySurveyTest {
  private static final PciAddress GVT = PciAddress.parse("0000:00:02.0");
  private static final PciAddress NIC = PciAddress.parse("0000:03:00.0");
  private static final PciAddress L40S = PciAddress.parse("0000:41:00.0");

  @TempDir Path base;
  SimulatedHost host;
  Devices devices;

  @BeforeEach
  void mixedHost() throws Exception {
    Sandbox.create(base.resolve("h"), SandboxProfile.MIXED);
    host = SimulatedHost.sandbox(base.resolve("h"));
    devices = new Devices(host);
  }

  private NodeReport.Capacity survey(Set<PciAddress> held) {
    return new CapacitySurvey(host).survey(held);
  }

  private static NodeReport.MdevSlots mdev(NodeReport.Capacity c, String type) {
    return c.mdev().stream().filter(m -> m.type().equals(type)).findFirst().orElseThrow();
  }

  private static NodeReport.VfSlots pf(NodeReport.Capacity c, PciAddress pf) {
    return c.vfs().stream().filter(v -> v.pf().equals(pf.value())).findFirst().orElseThrow();
  }

  private static NodeReport.VgpuSlots vgpu(NodeReport.Capacity c, String profile) {
    return c.vgpu().stream().filter(v -> v.profile().equals(profile)).findFirst().orElseThrow();
  }

  @Test
  void anMdevInstanceTakesOneFreeAndLeavesTheTotal() {
    assertEquals(
        new NodeReport.MdevSlots(GVT.value(), "i915-GVTg_V5_4", "GVTg_V5_4", 2, 2),
        mdev(survey(Set.of()), "i915-GVTg_V5_4"));
    devices.mdev().create(GVT, "i915-GVTg_V5_4", Uuid.random());
    assertEquals(
        new NodeReport.MdevSlots(GVT.value(), "i915-GVTg_V5_4", "GVTg_V5_4", 1, 2),
        mdev(survey(Set.of()), "i915-GVTg_V5_4"));
  }

  @Test
  void aVfOnVfioOrHeldByAGuestIsNotFree() {
    devices.sriov().setNumVfs(NIC, 4);
    assertEquals(new NodeReport.VfSlots(NIC.value(), 4, 4, 64, 0), pf(survey(Set.of()), NIC));
    PciAddress first = devices.sriov().vfs(NIC).get(0).address();
    PciAddress second = devices.sriov().vfs(NIC).get(1).address();
    devices.pci().bind(first, DriverName.VFIO_PCI);
    NodeReport.Capacity now = survey(Set.of(second));
    assertEquals(new NodeReport.VfSlots(NIC.value(), 2, 4, 64, 1), pf(now, NIC));
    assertEquals(true, now.vfio().contains(first.value()), now.vfio().toString());
  }

  @Test
  void aVgpuProfileCountsTheVfsThatCouldTakeItAndThoseThatHaveIt() {
    NodeReport.Capacity before = survey(Set.of());
    assertEquals(
        new NodeReport.VgpuSlots(L40S.value(), "NVIDIA L40S-8Q", 16, 16, 1158),
        vgpu(before, "NVIDIA L40S-8Q"));
    devices.nvidia().assign(L40S, "NVIDIA L40S-8Q", Set.of());
    NodeReport.Capacity after = survey(Set.of());
    // the simulated driver, as NVIDIA's, then offers only the profile's size on the others
    assertEquals(
        new NodeReport.VgpuSlots(L40S.value(), "NVIDIA L40S-8Q", 15, 16, 1158),
        vgpu(after, "NVIDIA L40S-8Q"));
    assertEquals(1, after.vgpu().size(), after.vgpu().toString());
  }
}
