package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.devices.Devices;
import dev.guesthook.devices.SriovDevices;
import dev.guesthook.devices.VfLink;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.MacAddress;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stock/sriov-vf.groovy on the sriov-nic sandbox (Intel X710): VM 501 uses VF 1 of 0000:03:00.0.
 */
class SriovVfHookTest {
  @TempDir Path base;
  SandboxHost host;

  @BeforeEach
  void x710() {
    host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
  }

  @Test
  void preStartMakesTheVfsBindsTheVfAndSetsItsLinkAndPostStopPutsItBack() {
    Cli.Result start = host.phase(501, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertEquals("4", host.read("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"));
    assertEquals("vfio-pci", host.driver("0000:03:02.1"));
    assertTrue(
        host.read(".simulator/vf-links/0000:03:00.0")
            .contains("1 52:54:00:5a:01:01 100 0 false true"));

    Cli.Result stop = host.phase(501, "post-stop");
    assertEquals(0, stop.exitCode(), stop::toString);
    assertEquals("iavf", host.driver("0000:03:02.1"));
    assertEquals(
        new VfLink(MacAddress.NONE, 0, true, false),
        link(PciAddress.parse("03:00.0"), 1),
        "as the driver made it");
    assertEquals(
        "4",
        host.read("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"),
        "the VF count is left for other VMs");
  }

  private VfLink link(PciAddress pf, int index) {
    SriovDevices sriov = new Devices(SimulatedHost.sandbox(host.root)).sriov();
    return sriov.link(sriov.vf(pf, index));
  }

  @Test
  void aFailedBindIsRolledBackToTheHostAsItWas() {
    host.faults().failWrite("/sys/bus/pci/drivers_probe", "EBUSY");
    host.assertRefusedWithoutChange(
        501,
        "pre-start",
        "sriov-vf",
        "EBUSY: /sys/bus/pci/drivers_probe: Device or resource busy (injected fault)");
  }

  @Test
  void whenTheSecondPfFailsEachPfIsRestoredToItsOwnVfCount() {
    host.settings(
        502,
        """
        sriov-vf:
          vfs:
            - { pf: "0000:03:00.0", numvfs: 4 }
            - { pf: "0000:03:00.1", numvfs: 2 }
        """);
    host.faults().failWrite("/sys/bus/pci/devices/0000:03:0a.*/driver_override", "EBUSY");
    Cli.Result start =
        host.assertRefusedWithoutChange(
            502,
            "pre-start",
            "sriov-vf",
            "EBUSY: /sys/bus/pci/devices/0000:03:0a.0/driver_override");
    assertTrue(start.toString().contains("restore 0000:03:00.0 to 0 VFs"), start::toString);
    assertEquals(
        "0",
        host.read("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"),
        "its own undo put the first PF back");
  }

  @Test
  void aVfIndexOutOfRangeIsRefusedBeforeAnyChange() {
    host.assertRefusedWithoutChange(
        503,
        "pre-start",
        "sriov-vf",
        "sriov-vf.vfs[0]: vf 70 out of range: 0000:03:00.0 will have 4 VFs (sriov_totalvfs 64)");
  }

  @Test
  void aMalformedMacIsRefusedBeforeAnyChange() {
    host.settings(
        501,
        "sriov-vf:\n  vfs:\n    - hostpci: 0\n      pf: \"0000:03:00.0\"\n      numvfs: 4\n      mac: \"52:54:00:zz:01:01\"\n");
    host.assertSettingsRefused(
        501,
        "pre-start",
        host.at("/etc/pve/guesthook/501.yaml")
            + ":6:12: sriov-vf.vfs[0].mac: invalid MAC address '52:54:00:zz:01:01'");
  }

  @Test
  void anUnknownPfIsNamed() {
    host.settings(502, "sriov-vf:\n  vfs:\n    - pf: \"0000:09:00.0\"\n");
    host.assertRefusedWithoutChange(
        502,
        "pre-start",
        "sriov-vf",
        "sriov-vf.vfs[0]: pf 0000:09:00.0: no such PCI device on this host");
  }

  @Test
  void aDryRunPrintsTheWritesAndCommandsAndChangesNothing() {
    Map<String, String> before = host.snapshot();
    Cli.Result plan = host.phase(501, "pre-start", "--dry-run");
    assertEquals(0, plan.exitCode(), plan::toString);
    String changes = SandboxHost.hook(plan, "sriov-vf").get("changes").toString();
    assertTrue(changes.contains("/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"), changes);
    assertTrue(
        changes.contains(
            "ip link set dev enp3s0f0 vf 1 mac 52:54:00:5a:01:01 vlan 100 spoofchk off trust on"),
        changes);
    assertTrue(changes.contains("/sys/bus/pci/drivers_probe"), changes);
    assertFalse(changes.contains("ip -j link show"), "a query is not a change: " + changes);
    assertEquals(before, host.snapshot());
  }

  @Test
  void aVfThatVanishesMidwayFailsTheStartAndTheVfCountIsPutBack() {
    host.faults()
        .vanishAfterWrite(
            "/sys/bus/pci/devices/0000:03:02.1/driver_override", PciAddress.parse("03:02.1"));
    Cli.Result start = host.phase(501, "pre-start");
    assertEquals(1, start.exitCode(), start::toString);
    assertTrue(
        SandboxHost.hook(start, "sriov-vf")
            .get("message")
            .asText()
            .startsWith("ENODEV: /sys/bus/pci/drivers/iavf/unbind"),
        start::toString);
    assertEquals("0", host.read("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"));
    assertTrue(Files.notExists(host.root.resolve("run/guesthook/state/501")));
  }

  @Test
  void aMappingGivesAVfNoOtherGuestHolds() throws Exception {
    host.write(
        "run/qemu-server/pci-id-reservations",
        "0000:03:0a.0 777 pid:4242\n0000:03:0a.3 778 time:1\n");
    Files.createDirectories(host.root.resolve("proc/4242")); // VM 777's QEMU is running
    host.write("etc/pve/qemu-server/505.conf", "hostpci0: 0000:03:0a.1,pcie=1\nmemory: 1024\n");
    Cli.Result start = host.phase(504, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertEquals(
        "vfio-pci",
        host.driver("0000:03:0a.2"),
        "03:0a.0 is reserved for VM 777, 03:0a.1 is VM 505's");
    assertEquals("iavf", host.driver("0000:03:0a.0"));
  }

  @Test
  void anUnknownMappingIsNamed() {
    host.settings(504, "sriov-vf:\n  vfs:\n    - { mapping: x710-p9-vfs }\n");
    host.assertRefusedWithoutChange(
        504,
        "pre-start",
        "sriov-vf",
        "sriov-vf.vfs[0]: mapping 'x710-p9-vfs' is not in /etc/pve/mapping/pci.cfg");
  }
}
