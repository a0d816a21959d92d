package dev.guesthook.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.cli.Main;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code guesthook <vmid> <phase>} run inside the test bed guest as Proxmox runs it on a node with
 * the package installed: the hookscript client asks a resident {@code guesthook serve}, which runs
 * the stock hooks on the guest's real sysfs. (The one-shot path is the same engine; under software
 * emulation a JVM start per phase costs half a minute.) each lifecycle must leave the devices
 * exactly as it found them, and a pre-start that fails must put back what it had done. Serve finds
 * the stock hooks compiled already, by the host ({@link GuestHookCache}).
 */
@ExtendWith(Testbed.class)
class LifecycleIT {
  private static final Path STOCK_ON_HOST =
      Path.of("..", "hooks", "stock").toAbsolutePath().normalize();
  private static final String STOCK_HOOKS = "/host" + STOCK_ON_HOST;
  private static final String CLIENT =
      "/host"
          + Path.of("..", "runtime", "src", "main", "scripts", "guesthook-hookscript")
              .toAbsolutePath()
              .normalize();
  private static final String SOCKET = "/run/guesthook/guesthook.sock";
  private static final String PF_SETTINGS =
      "ip link show dev " + Scenarios.PF_NETDEV + " | grep ' vf '";

  /** Everything a lifecycle may touch, read the way an admin would. */
  private static final String DEVICE_STATE =
      "for d in /sys/bus/pci/devices/*; do"
          + " echo \"$(basename $d) driver=$(basename \"$(readlink $d/driver)\") override=$(cat $d/driver_override)\"; done;"
          + " echo mdevs: $(ls /sys/bus/mdev/devices); cat "
          + Scenarios.TYPES
          + "/*/available_instances;"
          + " echo numvfs $(cat "
          + Scenarios.PF
          + "/sriov_numvfs); "
          + PF_SETTINGS;

  private TestbedVm vm;

  /** The compiled-hook cache entries the guest got from the host before serve started. */
  private static List<String> seeded = List.of();

  @BeforeEach
  void freshNodeWithGuesthookServing(TestbedVm vm) throws IOException {
    this.vm = vm;
    vm.run(
            "for u in $(ls /sys/bus/mdev/devices); do echo 1 > /sys/bus/mdev/devices/$u/remove; done;"
                + " echo 0 > "
                + Scenarios.PF
                + "/sriov_numvfs;"
                + " rm -rf /etc/pve/qemu-server /etc/pve/guesthook /var/lib/guesthook/journal /run/guesthook/state;"
                + " mkdir -p /etc/pve/qemu-server /etc/pve/guesthook")
        .orFail("resetting the guest");
    if (vm.run("test -S " + SOCKET).exitCode() != 0) {
      seeded = GuestHookCache.fill(vm, STOCK_ON_HOST);
      vm.run(
              "cd /tmp && nohup "
                  + GuestJava.command(Main.class, "--hooks", STOCK_HOOKS, "serve")
                  + " > /tmp/serve.log 2>&1 & echo $! > /tmp/serve.pid")
          .orFail("starting guesthook serve");
      vm.run(
              "for i in $(seq 1 1200); do test -S "
                  + SOCKET
                  + " && exit 0; kill -0 $(cat /tmp/serve.pid) || break;"
                  + " sleep 0.2; done; cat /tmp/serve.log; exit 1",
              Duration.ofMinutes(5))
          .orFail("waiting for guesthook serve");
    }
  }

  /**
   * Serve ran on the entries compiled on the host: one it had to compile itself means they no
   * longer match what the guest computes (a class path or fingerprint that differs), and the suite
   * spends a minute and a half compiling under emulation again.
   */
  @AfterEach
  void theGuestCompiledNoHook() {
    assertEquals(
        List.of(),
        GuestHookCache.compiledAgainIn(vm, seeded),
        "cache entries serve compiled in the guest although the host's were there: " + seeded);
  }

  @Test
  void anMdevVmGetsItsSliceAndGivesItBack() {
    vmConfig(
        100,
        "name: vgpu-desktop",
        """
        mdev:
          devices:
            - parent: "0000:00:02.0"
              type: gh_mdev-2
        """);
    String before = deviceState();
    phase(100, "pre-start");
    String started = deviceState();
    // The mdev hook's UUID for a VM's first declared device: 00001000-0000-0000-0000-<vmid>.
    assertTrue(
        started.contains("mdevs: 00001000-0000-0000-0000-000000000100\n"),
        "the VM's mdev exists while it runs:\n" + started);
    assertTrue(started.contains("\n6\n3\n1\n"), "the slice took 2 of the 8 units:\n" + started);
    lifecycleAfterStart(100);
    assertEquals(before, deviceState(), "the node's devices after the lifecycle");
  }

  @Test
  void anSriovVmGetsAVfWithMacAndVlanRestoredAfter() {
    vm.run("echo 2 > " + Scenarios.PF + "/sriov_numvfs").orFail("VFs at boot");
    vmConfig(
        101,
        "name: router\nhostpci0: 0000:01:10.0,pcie=1",
        """
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
    assertTrue(
        started.contains("vf 0     link/ether 52:54:00:5a:01:01") && started.contains("vlan 100"),
        started);
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
    vmConfig(
        103,
        "name: too-big",
        """
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
    assertNotEquals(
        0, start.exitCode(), "pre-start must fail so Proxmox aborts the start:\n" + start.output());
    assertTrue(start.output().contains("no available instances of gh_mdev-1"), start.output());
    assertEquals(before, deviceState(), "the node's devices after the failed start");
  }

  private void lifecycleAfterStart(int vmid) {
    phase(vmid, "post-start");
    phase(vmid, "pre-stop");
    phase(vmid, "post-stop");
  }

  private void vmConfig(int vmid, String config, String settings) {
    vm.run(
            "printf '%s\\n' '"
                + config
                + "' > /etc/pve/qemu-server/"
                + vmid
                + ".conf && printf '%s' '"
                + settings
                + "' > /etc/pve/guesthook/"
                + vmid
                + ".yaml")
        .orFail("writing VM " + vmid + "'s config");
  }

  private void phase(int vmid, String phase) {
    GuestShell.Result result = guesthook(vmid, phase);
    assertEquals(0, result.exitCode(), "guesthook " + vmid + " " + phase + ":\n" + result.output());
  }

  /**
   * What Proxmox runs; no one-shot fallback here, so a runtime that is not answering fails the
   * test.
   */
  private GuestShell.Result guesthook(int vmid, String phase) {
    return vm.run(
        "GUESTHOOK_SOCKET="
            + SOCKET
            + " GUESTHOOK_ONESHOT=/bin/false perl "
            + CLIENT
            + " "
            + vmid
            + " "
            + phase,
        Duration.ofMinutes(2));
  }

  private String deviceState() {
    return vm.run(DEVICE_STATE).output();
  }
}
