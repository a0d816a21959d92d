package dev.guesthook.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.cli.Main;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code guesthook <vmid> <phase>} run inside the test bed guest, as Proxmox runs the hookscript, with
 * the stock hooks on the guest's real sysfs: each lifecycle must leave the devices exactly as it found
 * them, and a pre-start that fails must put back what it had done.
 */
@ExtendWith(Testbed.class)
class LifecycleIT {
  private static final String STOCK_HOOKS = "/host" + Path.of("..", "hooks", "stock").toAbsolutePath().normalize();
  private static final String PF_SETTINGS = "ip link show dev " + Scenarios.PF_NETDEV + " | grep ' vf '";
  /** Everything a lifecycle may touch, read the way an admin would. */
  private static final String DEVICE_STATE = "for d in /sys/bus/pci/devices/*; do"
      + " echo \"$(basename $d) driver=$(basename \"$(readlink $d/driver)\") override=$(cat $d/driver_override)\"; done;"
      + " echo mdevs: $(ls /sys/bus/mdev/devices); cat " + Scenarios.TYPES + "/*/available_instances;"
      + " echo numvfs $(cat " + Scenarios.PF + "/sriov_numvfs); " + PF_SETTINGS;

  private final TestbedVm vm;

  LifecycleIT(TestbedVm vm) {
    this.vm = vm;
  }

  @BeforeEach
  void freshNode() {
    vm.run("for u in $(ls /sys/bus/mdev/devices); do echo 1 > /sys/bus/mdev/devices/$u/remove; done;"
        + " echo 0 > " + Scenarios.PF + "/sriov_numvfs;"
        + " rm -rf /etc/pve/qemu-server /etc/pve/guesthook /var/lib/guesthook /run/guesthook;"
        + " mkdir -p /etc/pve/qemu-server /etc/pve/guesthook").orFail("resetting the guest");
  }

  @Test
  void anMdevVmGetsItsSliceAndGivesItBack() {
    vmConfig(100, "name: vgpu-desktop", """
        mdev:
          devices:
            - parent: "0000:00:02.0"
              type: gh_mdev-2
        """);
    String before = deviceState();
    phase(100, "pre-start");
    String started = deviceState();
    assertTrue(started.contains("mdevs: 00000100-0000-0000-0000-000000000100")
        || started.matches("(?s).*mdevs: [0-9a-f-]{36}.*"), "an mdev exists while the VM runs:\n" + started);
    assertTrue(started.contains("\n6\n3\n1\n"), "the slice took 2 of the 8 units:\n" + started);
    lifecycleAfterStart(100);
    assertEquals(before, deviceState(), "the node's devices after the lifecycle");
  }

  @Test
  void anSriovVmGetsAVfWithMacAndVlanRestoredAfter() {
    vm.run("echo 2 > " + Scenarios.PF + "/sriov_numvfs").orFail("VFs at boot");
    vmConfig(101, "name: router\nhostpci0: 0000:01:10.0,pcie=1", """
        sriov-vf:
          vfs:
            - hostpci: 0
              pf: "0000:01:00.0"
              mac: "52:54:00:5a:01:01"
              vlan: 100
              spoofchk: false
        """);
    String before = deviceState();
    phase(101, "pre-start");
    String started = deviceState();
    assertTrue(started.contains("0000:01:10.0 driver=vfio-pci"), started);
    assertTrue(started.contains("vf 0     link/ether 52:54:00:5a:01:01") && started.contains("vlan 100"), started);
    lifecycleAfterStart(101);
    assertEquals(before, deviceState(), "the node's devices after the lifecycle");
  }

  @Test
  void aWholeDeviceGoesToVfioPciAndBackToItsDriver() {
    vmConfig(102, "name: gpu-vm\nhostpci0: 0000:00:03.0,pcie=1", "gpu-release: {}\n");
    String before = deviceState();
    assertTrue(before.contains("0000:00:03.0 driver=e1000e"), before);
    phase(102, "pre-start");
    assertTrue(deviceState().contains("0000:00:03.0 driver=vfio-pci"), deviceState());
    lifecycleAfterStart(102);
    assertEquals(before, deviceState(), "the node's devices after the lifecycle");
  }

  @Test
  void aFailedPreStartPutsBackWhatItDid() {
    // The slice fits (4 of 8 units), the second does not (8 more): the start must fail, and the
    // first slice, made by the same hook, must be gone again.
    vmConfig(103, "name: too-big", """
        mdev:
          devices:
            - parent: "0000:00:02.0"
              type: gh_mdev-4
            - parent: "0000:00:02.0"
              type: gh_mdev-4
            - parent: "0000:00:02.0"
              type: gh_mdev-1
        """);
    String before = deviceState();
    GuestShell.Result start = guesthook(103, "pre-start");
    assertNotEquals(0, start.exitCode(), "pre-start must fail so Proxmox aborts the start:\n" + start.output());
    assertTrue(start.output().contains("No space left on device") || start.output().contains("ENOSPC"), start.output());
    assertEquals(before, deviceState(), "the node's devices after the failed start");
  }

  private void lifecycleAfterStart(int vmid) {
    phase(vmid, "post-start");
    phase(vmid, "pre-stop");
    phase(vmid, "post-stop");
  }

  private void vmConfig(int vmid, String config, String settings) {
    vm.run("printf '%s\\n' '" + config + "' > /etc/pve/qemu-server/" + vmid + ".conf && printf '%s' '"
        + settings + "' > /etc/pve/guesthook/" + vmid + ".yaml").orFail("writing VM " + vmid + "'s config");
  }

  private void phase(int vmid, String phase) {
    GuestShell.Result result = guesthook(vmid, phase);
    assertEquals(0, result.exitCode(), "guesthook " + vmid + " " + phase + ":\n" + result.output());
  }

  private GuestShell.Result guesthook(int vmid, String phase) {
    return GuestJava.run(vm, Main.class, Duration.ofMinutes(2), "--hooks", STOCK_HOOKS, Integer.toString(vmid), phase);
  }

  private String deviceState() {
    return vm.run(DEVICE_STATE).output();
  }
}
