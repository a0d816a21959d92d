package dev.guesthook.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.host.TracingHost;
import dev.guesthook.host.sim.PciDeviceSpec;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.MacAddress;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import dev.guesthook.sandbox.SandboxBuilder;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device operations hooks use, on sandbox hosts: what they do and how they refuse. */
class DeviceOperationsTest {
  @TempDir Path dir;

  private Devices devices(SandboxProfile profile) {
    profile.writeTo(SandboxBuilder.at(dir, profile.id()));
    return new Devices(SimulatedHost.sandbox(dir));
  }

  @Test
  void pciInfoShowsIdsDriverAndTheWholeIommuGroup() {
    PciDevice gpu = devices(SandboxProfile.GPU_PASSTHROUGH).pci().info(PciAddress.parse("0b:00.0"));
    assertEquals("1002:73bf", gpu.ids());
    assertEquals(0x030000, gpu.classCode());
    assertEquals(Optional.of(new DriverName("amdgpu")), gpu.driver());
    assertEquals(
        List.of(PciAddress.parse("0b:00.0"), PciAddress.parse("0b:00.1")), gpu.groupMembers());
  }

  @Test
  void bindingLoadsTheDriversModuleFirstWhenItIsNotLoaded() {
    SandboxBuilder builder = SandboxBuilder.at(dir, "test");
    builder.availableModule("ixgbe", "ixgbe", "8086:10fb");
    builder
        .device(PciDeviceSpec.of("0000:05:00.0", 0x8086, 0x10fb, 0x020000))
        .iommuGroup("05:00.0");
    List<String> commands = new ArrayList<>();
    PciDevices pci =
        new PciDevices(
            new TracingHost(
                SimulatedHost.sandbox(dir),
                call -> {
                  if (call.kind() == HostInteraction.Kind.RUN) {
                    commands.add(call.target());
                  }
                }));
    pci.bind(PciAddress.parse("05:00.0"), new DriverName("ixgbe"));
    assertEquals(List.of("modprobe ixgbe"), commands);
    assertEquals(Optional.of(new DriverName("ixgbe")), pci.driver(PciAddress.parse("05:00.0")));
  }

  @Test
  void waitingForADriverThatNeverComesNamesWhatTheDeviceHas() {
    PciDevices pci = devices(SandboxProfile.GPU_PASSTHROUGH).pci();
    DeviceException e =
        assertThrows(
            DeviceException.class,
            () ->
                pci.waitForDriver(
                    PciAddress.parse("0b:00.0"), DriverName.VFIO_PCI, Duration.ofMillis(120)));
    assertEquals("0000:0b:00.0: no vfio-pci after 120 ms (it has amdgpu)", e.getMessage());
  }

  @Test
  void raisingTheVfCountWhileAVfIsOnVfioIsRefused() {
    Devices d = devices(SandboxProfile.SRIOV_NIC);
    PciAddress pf = PciAddress.parse("03:00.0");
    d.sriov().ensureAtLeast(pf, 2);
    d.pci().bind(d.sriov().vf(pf, 1).address(), DriverName.VFIO_PCI);
    DeviceException e = assertThrows(DeviceException.class, () -> d.sriov().ensureAtLeast(pf, 4));
    assertEquals(
        "cannot raise the VF count of 0000:03:00.0 from 2 to 4: VF 1 (0000:03:02.1) is bound to vfio-pci,"
            + " probably in use by a VM, and the kernel must go through 0 VFs to change the count",
        e.getMessage());
    assertEquals(2, d.sriov().numVfs(pf));
  }

  @Test
  void setNumVfsGoesThroughZero() {
    Devices d = devices(SandboxProfile.SRIOV_NIC);
    PciAddress pf = PciAddress.parse("03:00.0");
    d.sriov().setNumVfs(pf, 2);
    d.sriov().setNumVfs(pf, 5);
    assertEquals(5, d.sriov().vfs(pf).size());
    assertEquals(PciAddress.parse("03:02.4"), d.sriov().vf(pf, 4).address());
  }

  @Test
  void aFreeVfSkipsVfioAndTakenOnes() {
    Devices d = devices(SandboxProfile.SRIOV_NIC);
    PciAddress pf = PciAddress.parse("03:00.0");
    d.sriov().ensureAtLeast(pf, 3);
    d.pci().bind(d.sriov().vf(pf, 0).address(), DriverName.VFIO_PCI);
    assertEquals(2, d.sriov().freeVf(pf, Set.of(d.sriov().vf(pf, 1).address())).index());
  }

  @Test
  void aGpuWithoutVgpuSupportSaysHowToGetIt() {
    Devices d = devices(SandboxProfile.GPU_PASSTHROUGH);
    DeviceException e =
        assertThrows(DeviceException.class, () -> d.vgpu().model(PciAddress.parse("0b:00.0")));
    assertTrue(
        e.getMessage().startsWith("0000:0b:00.0 offers no vGPU: it has no mdev_supported_types"),
        e.getMessage());
  }

  @Test
  void theVgpuModelFollowsWhatTheHostExposes() {
    assertEquals(
        Vgpu.Model.MDEV, devices(SandboxProfile.MIXED).vgpu().model(PciAddress.parse("3b:00.0")));
    assertEquals(
        Vgpu.Model.NVIDIA_VF,
        new Devices(SimulatedHost.sandbox(dir)).vgpu().model(PciAddress.parse("41:00.0")));
  }

  @Test
  void anExistingInstanceOfAnotherTypeIsNotReused() {
    MediatedDevices mdev = devices(SandboxProfile.GVT_G).mdev();
    PciAddress gpu = PciAddress.parse("00:02.0");
    Uuid uuid = Uuid.parse("6c0c1c52-0c0e-4ed8-b3a0-5e6a0a4a4d1e");
    mdev.create(gpu, "i915-GVTg_V5_8", uuid);
    assertEquals(
        new MdevInstance(uuid, gpu, new MdevType("i915-GVTg_V5_8")),
        mdev.create(gpu, "GVTg_V5_8", uuid),
        "the same type is kept, as qemu-server does");
    DeviceException e =
        assertThrows(DeviceException.class, () -> mdev.create(gpu, "i915-GVTg_V5_4", uuid));
    assertEquals(
        "mdev "
            + uuid
            + " already exists as i915-GVTg_V5_8 on 0000:00:02.0, not i915-GVTg_V5_4 on 0000:00:02.0",
        e.getMessage());
  }

  @Test
  void anUpperCaseUuidMakesAnInstanceNamedInLowerCase() {
    Devices d = devices(SandboxProfile.GVT_G);
    PciAddress gpu = PciAddress.parse("00:02.0");
    Uuid uuid = Uuid.parse("6C0C1C52-0C0E-4ED8-B3A0-5E6A0A4A4D1E");
    d.mdev().create(gpu, "i915-GVTg_V5_4", uuid);
    assertEquals(
        List.of("6c0c1c52-0c0e-4ed8-b3a0-5e6a0a4a4d1e"),
        SimulatedHost.sandbox(dir).list(SysfsPaths.MDEV_DEVICES));
    assertEquals(
        List.of(new MdevInstance(uuid, gpu, new MdevType("i915-GVTg_V5_4"))), d.mdev().instances());
  }

  @Test
  void linkSettingsAreReadBackAsSet() {
    Devices d = devices(SandboxProfile.SRIOV_NIC);
    PciAddress pf = PciAddress.parse("03:00.0");
    d.sriov().ensureAtLeast(pf, 2);
    VirtualFunction vf = d.sriov().vf(pf, 1);
    VfLink wanted = new VfLink(MacAddress.parse("52:54:00:AB:CD:EF"), 42, false, true);
    d.sriov().setLink(vf, wanted);
    assertEquals(wanted, d.sriov().link(vf));
  }
}
