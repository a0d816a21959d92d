package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.HostPath;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.Uuid;
import dev.guesthook.id.VmId;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * stock/mdev.groovy: GVT-g and NVIDIA mdev instances, and NVIDIA vGPU 17+ VFs, made and removed per
 * VM.
 */
class MdevHookTest {
  static final String V5_4 =
      "sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/available_instances";
  static final String KIOSK_MDEV = "sys/bus/mdev/devices/00001000-0000-0000-0000-000000000202";

  @TempDir Path base;

  @Test
  void theDeclaredInstanceExistsWhileTheVmRunsAndIsGoneAfter() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    Cli.Result start = host.phase(202, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertTrue(Files.isDirectory(host.root.resolve(KIOSK_MDEV)), start::toString);
    assertEquals("1", host.read(V5_4));

    Cli.Result stop = host.phase(202, "post-stop");
    assertEquals(0, stop.exitCode(), stop::toString);
    assertFalse(Files.exists(host.root.resolve(KIOSK_MDEV)));
    assertEquals("2", host.read(V5_4));
    assertFalse(Files.exists(host.root.resolve("run/guesthook/state/202/mdev.json")));
  }

  /**
   * mdev types outside $hostpci_fmt's pattern: qemu-server skips the line, and nothing acts on it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"../../../../tmp/pwn", "$(touch /tmp/pwn)"})
  void anMdevTypeOutsideItsPatternIsNamedAndNotActedOn(String type) {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    String config = host.read("etc/pve/qemu-server/201.conf");
    String line = "hostpci0: 0000:00:02.0,mdev=" + type;
    host.write(
        "etc/pve/qemu-server/201.conf",
        config.replace("hostpci0: 0000:00:02.0,mdev=i915-GVTg_V5_4", line) + "\n");
    String free = host.read(V5_4);
    for (String phase : List.of("pre-start", "post-stop")) {
      Cli.Result result = host.phase(201, phase);
      assertEquals(0, result.exitCode(), result::toString);
      assertEquals(
          List.of(
              "/etc/pve/qemu-server/201.conf:"
                  + (config.lines().toList().indexOf("hostpci0: 0000:00:02.0,mdev=i915-GVTg_V5_4")
                      + 1)
                  + ": unable to parse value of 'hostpci0' - format error\n"
                  + "mdev: value does not match the regex pattern"),
          GpuReleaseHookTest.problems(result));
    }
    assertEquals(free, host.read(V5_4));
    assertFalse(Files.exists(host.root.resolve("tmp/pwn")));
    assertFalse(
        Files.exists(
            host.root.resolve("sys/bus/mdev/devices/00000000-0000-0000-0000-000000000201")));
  }

  @Test
  void anExhaustedTypeNamesWhatUsesItAndTheStartChangesNothing() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    host.settings(
        202,
        "mdev:\n  devices:\n"
            + "    - { parent: \"0000:00:02.0\", type: i915-GVTg_V5_4 }\n".repeat(3));
    PlanBeforeChangeTest.noChangeMade(
        host.assertRefusedWithoutChange(
            202,
            "pre-start",
            "mdev",
            "mdev.devices: 0000:00:02.0 has 2 free of 'i915-GVTg_V5_4', 3 asked for; nothing was changed"),
        "mdev");
  }

  @Test
  void anUnknownParentIsNamedAndNothingChanges() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    host.settings(
        202, "mdev:\n  devices:\n    - { parent: \"0000:09:00.0\", type: i915-GVTg_V5_4 }\n");
    host.assertRefusedWithoutChange(
        202, "pre-start", "mdev", "mdev.devices: no PCI device 0000:09:00.0 on this host");
  }

  @Test
  void anUnknownTypeListsTheTypesThereAre() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    host.settings(202, "mdev:\n  devices:\n    - { parent: \"00:02.0\", type: i915-GVTg_V9 }\n");
    host.assertRefusedWithoutChange(
        202,
        "pre-start",
        "mdev",
        "mdev.devices: 0000:00:02.0 has no mdev type 'i915-GVTg_V9'; it offers: i915-GVTg_V5_4 (GVTg_V5_4), i915-GVTg_V5_8 (GVTg_V5_8)");
  }

  @Test
  void aParentThatIsNotAnAddressIsRefusedWithItsPosition() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    host.settings(202, "mdev:\n  devices:\n    - { parent: \"../../x\", type: i915-GVTg_V5_4 }\n");
    host.assertSettingsRefused(
        202,
        "pre-start",
        host.at("/etc/pve/guesthook/202.yaml")
            + ":3:17: mdev.devices[0].parent: invalid PCI address '../../x'");
  }

  @Test
  void aFailedSecondCreateRemovesTheFirst() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    host.settings(
        202,
        "mdev:\n  devices:\n    - { parent: \"0000:00:02.0\", type: i915-GVTg_V5_4 }\n"
            + "    - { parent: \"0000:00:02.0\", type: i915-GVTg_V5_8 }\n");
    host.faults().failWrite("**/i915-GVTg_V5_8/create", "EIO");
    host.assertRefusedWithoutChange(
        202,
        "pre-start",
        "mdev",
        "EIO: /sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8/create: Input/output error (injected fault)");
  }

  @Test
  void aProxmoxInstanceOfAnotherTypeUnderTheVmsUuidIsRemovedBeforeStart() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    SimulatedHost kernel = SimulatedHost.sandbox(host.root);
    Uuid stale = Uuid.proxmox(new VmId(201), 0);
    kernel.write(
        HostPath.parse(
            "/sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8/create"),
        stale.value());
    Cli.Result start = host.phase(201, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertFalse(
        kernel.exists(SysfsPaths.mdev(stale)), "qemu-server would die on a UUID of another type");
  }

  @Test
  void anInstanceProxmoxLeftBehindIsRemovedAfterStop() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.NVIDIA_VGPU);
    SimulatedHost kernel = SimulatedHost.sandbox(host.root);
    Uuid left = Uuid.proxmox(new VmId(301), 0);
    kernel.write(
        HostPath.parse("/sys/bus/pci/devices/0000:3b:00.0/mdev_supported_types/nvidia-231/create"),
        left.value());
    Cli.Result stop = host.phase(301, "post-stop");
    assertEquals(0, stop.exitCode(), stop::toString);
    assertFalse(kernel.exists(SysfsPaths.mdev(left)));
    assertTrue(
        stop.err()
            .contains("removed " + left + " (hostpci0, mdev=nvidia-231) that Proxmox left behind"),
        stop::toString);
  }

  @Test
  void onVgpu17TheProfileIsSetOnAFreeVfAndReleasedAfterStop() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.NVIDIA_VGPU_VF);
    host.settings(
        402, "mdev:\n  devices:\n    - { parent: \"0000:41:00.0\", type: NVIDIA L40S-8Q }\n");
    String current = "sys/bus/pci/devices/0000:41:00.4/nvidia/current_vgpu_type";
    Cli.Result start = host.phase(402, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertEquals("1158", host.read(current));
    assertFalse(
        host.read("sys/bus/pci/devices/0000:41:00.5/nvidia/creatable_vgpu_types")
            .contains("L40S-4Q"),
        "a time-sliced GPU then offers only the same profile");

    Cli.Result stop = host.phase(402, "post-stop");
    assertEquals(0, stop.exitCode(), stop::toString);
    assertEquals("0", host.read(current));
  }

  @Test
  void aProfileTheGpuCannotMakeListsWhatItCan() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.NVIDIA_VGPU_VF);
    host.settings(
        402, "mdev:\n  devices:\n    - { parent: \"0000:41:00.0\", type: NVIDIA L40S-96Q }\n");
    host.assertRefusedWithoutChange(
        402,
        "pre-start",
        "mdev",
        "mdev.devices: no VF of 0000:41:00.0 can take vGPU type 'NVIDIA L40S-96Q'; creatable now: 1155 NVIDIA L40S-1B,"
            + " 1156 NVIDIA L40S-2Q");
  }
}
