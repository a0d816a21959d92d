package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stock/pci-mapping.groovy: VM 602 gets the Radeon through the rx6800 mapping of the
 * gpu-passthrough sandbox.
 */
class PciMappingHookTest {
  static final String RADEON = "sys/devices/pci0000:00/0000:0b:00.0/";
  static final String INVALID = "PCI device mapping invalid (hardware probably changed): ";

  @TempDir Path base;
  SandboxHost host;

  @BeforeEach
  void radeonBehindAMapping() {
    host = new SandboxHost(base, SandboxProfile.GPU_PASSTHROUGH);
  }

  @Test
  void aMatchingDeviceLetsTheStartGoOn() {
    Cli.Result start = host.phase(602, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertEquals("ok", SandboxHost.hook(start, "pci-mapping").get("outcome").asText());
  }

  @Test
  void aReplacedCardIsRefusedNamingEveryDifference() {
    host.write(RADEON + "device", "0x73ff\n"); // an RX 6950 XT where the 6800 XT was
    host.write(RADEON + "subsystem_vendor", "0x1458\n");
    host.assertRefusedWithoutChange(
        602,
        "pre-start",
        "pci-mapping",
        INVALID
            + "'id' does not match for 'rx6800' (1002:73ff != 1002:73bf) on device '0000:0b:00.0' (if it is the right card, set"
            + " id=1002:73ff in the mapping's map line); 'subsystem-id' does not match for 'rx6800' (1458:e438 != 1da2:e438) on"
            + " device '0000:0b:00.0' (if it is the right card, set subsystem-id=1458:e438 in the mapping's map line) (hostpci0)");
  }

  /**
   * pci_device_info gives no subsystem ids without both files: upstream's "unexpected property",
   * not a read error.
   */
  @Test
  void aCardWithoutSubsystemIdsIsRefusedInProxmoxsWords() throws Exception {
    java.nio.file.Files.delete(host.root.resolve(RADEON + "subsystem_device"));
    host.assertRefusedWithoutChange(
        602,
        "pre-start",
        "pci-mapping",
        INVALID
            + "unexpected property 'subsystem-id'"
            + " configured for device '0000:0b:00.0' (the mapping says 1da2:e438, the device has none) (hostpci0)");
  }

  @Test
  void aCardInAnotherIommuGroupIsRefused() {
    String cfg = host.read("etc/pve/mapping/pci.cfg").replace("iommugroup=0", "iommugroup=7");
    host.write("etc/pve/mapping/pci.cfg", cfg + "\n");
    host.assertRefusedWithoutChange(
        602,
        "pre-start",
        "pci-mapping",
        INVALID
            + "'iommugroup' does not match for 'rx6800' (0 != 7) on device '0000:0b:00.0' (if it is the right card, set"
            + " iommugroup=0 in the mapping's map line) (hostpci0)");
  }

  @Test
  void aMappingWithoutThisNodeIsRefused() {
    host.write(
        "etc/pve/mapping/pci.cfg",
        host.read("etc/pve/mapping/pci.cfg").replace("node=pve-sandbox", "node=pve2") + "\n");
    host.assertRefusedWithoutChange(
        602,
        "pre-start",
        "pci-mapping",
        "PCI device mapping not found for 'rx6800' (mapping 'rx6800' has no entry for node pve-sandbox) (hostpci0)");
  }

  @Test
  void anUnknownMappingIsRefused() {
    host.write("etc/pve/qemu-server/602.conf", "hostpci0: mapping=rx9000,pcie=1\nmemory: 2048\n");
    host.assertRefusedWithoutChange(
        602,
        "pre-start",
        "pci-mapping",
        "PCI device mapping not found for 'rx9000' (no mapping 'rx9000' in /etc/pve/mapping/pci.cfg; it has rx6800)"
            + " (hostpci0)");
  }
}
