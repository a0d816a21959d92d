package dev.guesthook.testbed;

import dev.guesthook.host.sim.PciDeviceSpec;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.sandbox.SandboxBuilder;
import java.nio.file.Path;

/** The simulator's twin of the test bed VM: the same functions, ids, drivers, groups and names. */
final class TestbedSandbox {
  private TestbedSandbox() {}

  static SimulatedHost create(Path root) {
    SandboxBuilder s = SandboxBuilder.at(root, "testbed");
    s.module("gh_mdev", "gh_mdev", "1b36:0005");
    s.module("e1000e", "e1000e", "8086:10d3");
    s.module("igb", "igb", "8086:10c9");
    s.module("igbvf", "igbvf", "8086:10ca");
    // ICH9's LPC, SATA and SMBus functions: one IOMMU group, as QEMU's q35 gives them.
    s.device(PciDeviceSpec.of("0000:00:1f.0", 0x8086, 0x2918, 0x060100));
    s.device(PciDeviceSpec.of("0000:00:1f.2", 0x8086, 0x2922, 0x010601));
    s.device(PciDeviceSpec.of("0000:00:1f.3", 0x8086, 0x2930, 0x0c0500));
    s.iommuGroup("0000:00:1f.0", "0000:00:1f.2", "0000:00:1f.3");
    // QEMU's own subsystem ids (Red Hat, QEMU) where a device model has none of its own.
    s.device(PciDeviceSpec.of("0000:00:02.0", 0x1b36, 0x0005, 0x00ff00).subsystem(0x1af4, 0x1100));
    s.iommuGroup("0000:00:02.0");
    s.mdevPool("0000:00:02.0", 8);
    s.pooledMdevType("0000:00:02.0", "gh_mdev-1", "GH-1", "1 of 8 units", 1);
    s.pooledMdevType("0000:00:02.0", "gh_mdev-2", "GH-2", "2 of 8 units", 2);
    s.pooledMdevType("0000:00:02.0", "gh_mdev-4", "GH-4", "4 of 8 units", 4);
    s.device(PciDeviceSpec.of("0000:00:03.0", 0x8086, 0x10d3, 0x020000));
    s.iommuGroup("0000:00:03.0");
    s.resetMethods("0000:00:03.0", "pm");
    s.netdev("0000:00:03.0", "eth1", "52:54:00:12:34:56");
    s.device(PciDeviceSpec.of("0000:01:00.0", 0x8086, 0x10c9, 0x020000).subsystem(0x1af4, 0x1100));
    s.iommuGroup("0000:01:00.0");
    s.resetMethods("0000:01:00.0", "flr", "pm", "bus");
    s.sriov("0000:01:00.0", 7, 128, 2, 0x10ca);
    s.netdev("0000:01:00.0", "eth0", "52:54:00:12:34:57");
    return SimulatedHost.sandbox(root);
  }
}
