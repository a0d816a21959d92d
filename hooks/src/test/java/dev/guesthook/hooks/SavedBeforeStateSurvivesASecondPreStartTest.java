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
import dev.guesthook.testsupport.RunningQemu;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second pre-start that finds what the first one saved (run with --force while the guest's QEMU
 * runs, so no reconcile puts the first one's changes back) keeps the first one's "before" values:
 * the post-stop puts every device back as it was before the first start, whether the second start
 * succeeded or was rolled back.
 */
class SavedBeforeStateSurvivesASecondPreStartTest {
  private static final int QEMU_PID = 4242;
  private static final VfLink AS_THE_DRIVER_MADE_IT = new VfLink(MacAddress.NONE, 0, true, false);

  @TempDir Path base;

  @Test
  void aVfTakenAgainGoesBackToItsOriginalDriverAndLink() throws IOException {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    startTwice(host, 501);

    stop(host, 501, "  [sriov-vf] 0000:03:02.1: back to iavf, mac 00:00:00:00:00:00, vlan 0");
    assertEquals("iavf", host.driver("0000:03:02.1"));
    assertEquals(AS_THE_DRIVER_MADE_IT, link(host, "03:00.0", 1));
  }

  @Test
  void everyFreeVfTheGuestTookIsPutBack() throws IOException {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    startTwice(host, 502);
    assertEquals("vfio-pci", host.driver("0000:03:0a.0"), "the first start's VF");
    assertEquals("vfio-pci", host.driver("0000:03:0a.1"), "the second start's VF");

    stop(
        host,
        502,
        "  [sriov-vf] 0000:03:0a.1: back to iavf, mac 00:00:00:00:00:00, vlan 0",
        "  [sriov-vf] 0000:03:0a.0: back to iavf, mac 00:00:00:00:00:00, vlan 0");
    assertEquals("iavf", host.driver("0000:03:0a.0"));
    assertEquals("iavf", host.driver("0000:03:0a.1"));
    assertEquals(AS_THE_DRIVER_MADE_IT, link(host, "03:00.1", 0));
    assertEquals(AS_THE_DRIVER_MADE_IT, link(host, "03:00.1", 1));
  }

  @Test
  void aRolledBackSecondStartLeavesTheFirstOnesVfToBePutBack() throws IOException {
    SandboxHost host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    startWithQemu(host, 501);
    host.settings(
        501,
        """
        sriov-vf:
          vfs:
            - { hostpci: 0, pf: "0000:03:00.0", numvfs: 4, mac: "52:54:00:5a:01:01", vlan: 100 }
            - { pf: "0000:03:00.0" }
        """);
    host.faults().failWrite("/sys/bus/pci/devices/0000:03:02.0/driver_override", "EBUSY");
    Cli.Result again = host.phase(501, "pre-start", "--force");
    assertFailedWith(
        again,
        "sriov-vf",
        "EBUSY: /sys/bus/pci/devices/0000:03:02.0/driver_override: Device or resource busy");
    assertEquals("vfio-pci", host.driver("0000:03:02.1"), "the running guest keeps its VF");

    stop(host, 501, "  [sriov-vf] 0000:03:02.1: back to iavf, mac 00:00:00:00:00:00, vlan 0");
    assertEquals("iavf", host.driver("0000:03:02.1"));
    assertEquals(AS_THE_DRIVER_MADE_IT, link(host, "03:00.0", 1));
  }

  @Test
  void aGpuTakenAgainGoesBackToItsHostDrivers() throws IOException {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GPU_PASSTHROUGH);
    startTwice(host, 601);

    stop(
        host,
        601,
        "  [gpu-release] 0000:0b:00.0: back to amdgpu",
        "  [gpu-release] 0000:0b:00.1: back to snd_hda_intel");
    assertEquals("amdgpu", host.driver("0000:0b:00.0"));
    assertEquals("snd_hda_intel", host.driver("0000:0b:00.1"));
  }

  @Test
  void aRolledBackSecondStartLeavesTheGpusHostDriversToBePutBack() throws IOException {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GPU_PASSTHROUGH);
    startWithQemu(host, 601);
    host.faults().failChange(2); // the second start's second change: its save of the audio function
    Cli.Result again = host.phase(601, "pre-start", "--force");
    assertFailedWith(
        again, "gpu-release", "EIO: /run/guesthook/state/601/gpu-release.json: Input/output error");

    stop(
        host,
        601,
        "  [gpu-release] 0000:0b:00.0: back to amdgpu",
        "  [gpu-release] 0000:0b:00.1: back to snd_hda_intel");
    assertEquals("amdgpu", host.driver("0000:0b:00.0"));
    assertEquals("snd_hda_intel", host.driver("0000:0b:00.1"));
  }

  /** A start as Proxmox makes it (pre-start, then QEMU runs), and pre-start once more by hand. */
  private static void startTwice(SandboxHost host, int vmid) throws IOException {
    startWithQemu(host, vmid);
    Cli.Result again = host.phase(vmid, "pre-start", "--force");
    assertEquals(0, again.exitCode(), again::toString);
  }

  private static void startWithQemu(SandboxHost host, int vmid) throws IOException {
    Cli.Result start = host.phase(vmid, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    RunningQemu.plant(host.root, vmid, QEMU_PID);
  }

  /**
   * QEMU ends, then Proxmox runs post-stop: the hook itself says it put back each of {@code
   * restored}, and the reconcile after it finds nothing left to repair (it used to repair what the
   * hook got wrong).
   */
  private static void stop(SandboxHost host, int vmid, String... restored) throws IOException {
    RunningQemu.end(host.root, vmid, QEMU_PID);
    Cli.Result stop = host.phase(vmid, "post-stop");
    assertEquals(0, stop.exitCode(), stop::toString);
    for (String line : restored) {
      assertTrue(stop.err().contains(line + "\n"), () -> "no '" + line + "' in\n" + stop);
    }
    assertFalse(stop.err().contains("reconcile VM " + vmid), stop::toString);
  }

  private static void assertFailedWith(Cli.Result start, String hook, String message) {
    assertEquals(1, start.exitCode(), start::toString);
    String actual = SandboxHost.hook(start, hook).get("message").asText();
    assertTrue(actual.startsWith(message), () -> "message was: " + actual);
  }

  private static VfLink link(SandboxHost host, String pf, int index) {
    SriovDevices sriov = new Devices(SimulatedHost.sandbox(host.root)).sriov();
    return sriov.link(sriov.vf(PciAddress.parse(pf), index));
  }
}
