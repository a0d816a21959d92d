package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.HostPath;
import dev.guesthook.host.Wedge;
import dev.guesthook.host.WedgedDevices;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.host.tree.FileTree;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stock/device-health.groovy, the health gate: each check refuses the start with exit 1, a message
 * naming the function, the check and the fix, and the host as it was (the gate runs before any hook
 * that changes it); {@code guesthook check} says the same; a healthy device passes with one line.
 * VM 601 passes the Radeon (0000:0b:00, GPU and audio) whole, VM 602 through a mapping; VM 201 gets
 * a GVT-g slice of 0000:00:02.0 (hostpci0 mdev=), VM 302 NVIDIA mdevs of 0000:3b:00.0 through the
 * mdev hook.
 */
class DeviceHealthHookTest {
  static final String GPU = "0000:0b:00.0";
  static final String AUDIO = "0000:0b:00.1";
  static final String IGD = "0000:00:02.0";
  static final String HOOK = "device-health";

  @TempDir Path base;

  SandboxHost radeon() {
    return new SandboxHost(base, SandboxProfile.GPU_PASSTHROUGH);
  }

  @Test
  void aHealthyDevicePassesWithOneLineAndNoWarning() {
    SandboxHost host = radeon();
    Cli.Result start = host.taskLog(601, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertEquals(
        List.of(
            "  [device-health] 2 PCI function(s) healthy: "
                + GPU
                + " (hostpci0), "
                + AUDIO
                + " (hostpci0)",
            "  ok       device-health"),
        start
            .out()
            .lines()
            .filter(line -> line.contains(HOOK))
            .map(l -> l.replaceFirst(" \\(\\d+ ms\\)$", ""))
            .toList(),
        start::toString);
  }

  @Test
  void aDeviceThatDoesNotAnswerIsRefused() {
    SandboxHost host = radeon();
    host.faults().stopAnswering(PciAddress.parse(GPU));
    host.assertRefusedWithoutChange(
        601,
        "pre-start",
        HOOK,
        GPU
            + " (whole device of hostpci0): config-space: its config space reads all ones:"
            + " the device does not answer; fix: look at dmesg for the device, reset it");
  }

  @Test
  void aDeviceStuckInD3coldIsRefusedAndCheckSaysTheSame() {
    SandboxHost host = radeon();
    host.faults().powerState(PciAddress.parse(AUDIO), "D3cold");
    String why =
        AUDIO
            + " (whole device of hostpci0): power-state: it stays in D3cold after a config read, which"
            + " wakes a suspended device: its slot has no power or it left the bus; fix: look at dmesg";
    host.assertRefusedWithoutChange(601, "pre-start", HOOK, why);
    Cli.Result checked = PlanBeforeChangeTest.check(host, 601);
    assertEquals(1, checked.exitCode(), checked::toString);
    assertTrue(
        PlanBeforeChangeTest.lines(checked, "fail").stream()
            .anyMatch(line -> line.startsWith("hook device-health: " + why)),
        checked::toString);
  }

  @Test
  void aFailedPowerTransitionIsRefused() {
    SandboxHost host = radeon();
    host.faults().powerState(PciAddress.parse(GPU), "error");
    host.assertRefusedWithoutChange(
        601,
        "pre-start",
        HOOK,
        GPU
            + " (whole device of hostpci0): power-state: its last power transition failed (power_state"
            + " is error); fix:");
  }

  /** vfio-pci lets an idle device drop to D3hot: normal, as is a function no driver probed. */
  @Test
  void d3hotAndUnknownPass() {
    SandboxHost host = radeon();
    host.faults().powerState(PciAddress.parse(GPU), "D3hot");
    host.faults().powerState(PciAddress.parse(AUDIO), "unknown");
    Cli.Result start = host.phase(601, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
  }

  @Test
  void aCheckTurnedOffInTheGuestsSettingsLetsTheStartGoOn() {
    Cli.Result start = startWithGpuIn("D3cold", "{ power-state: false }");
    assertEquals("ok", SandboxHost.hook(start, HOOK).get("outcome").asText());
  }

  @Test
  void theWholeGateTurnedOffIsSkipped() {
    Cli.Result start = startWithGpuIn("error", "{ enabled: false }");
    assertEquals("skipped", SandboxHost.hook(start, HOOK).get("outcome").asText());
  }

  /** VM 601's pre-start with the GPU in {@code powerState} and the gate's settings; it starts. */
  private Cli.Result startWithGpuIn(String powerState, String gateSettings) {
    SandboxHost host = radeon();
    host.faults().powerState(PciAddress.parse(GPU), powerState);
    host.settings(601, "gpu-release: {}\ndevice-health: " + gateSettings + "\n");
    Cli.Result start = host.phase(601, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    return start;
  }

  @Test
  void aGuestWithoutPciDevicesIsSkipped() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.MIXED);
    Cli.Result start = host.phase(701, "pre-start");
    assertEquals("skipped", SandboxHost.hook(start, HOOK).get("outcome").asText(), start::toString);
  }

  /** Proxmox binds a mapped device by vfio-pci's bind, which a driver_override elsewhere blocks. */
  @Test
  void aMappedDevicePinnedToAnotherDriverIsRefused() {
    SandboxHost host = radeon();
    host.write("sys/devices/pci0000:00/" + GPU + "/driver_override", "amdgpu\n");
    host.assertRefusedWithoutChange(
        602,
        "pre-start",
        HOOK,
        GPU
            + " (whole device of hostpci0): driver: its driver_override names amdgpu, so the kernel"
            + " refuses vfio-pci's bind at start and Proxmox cannot take it; fix: clear it (echo >"
            + " /sys/bus/pci/devices/"
            + GPU
            + "/driver_override)");
  }

  /** gpu-release rewrites the override itself, so for VM 601 the same pin is no problem. */
  @Test
  void aPinnedDeviceThatGpuReleaseTakesPasses() {
    SandboxHost host = radeon();
    host.write("sys/devices/pci0000:00/" + GPU + "/driver_override", "amdgpu\n");
    Cli.Result start = host.phase(601, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    assertEquals("vfio-pci", host.driver(GPU));
  }

  @Test
  void anMdevParentWithoutItsDriverIsRefused() throws Exception {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    SimulatedHost.sandbox(host.root).write(HostPath.parse("/sys/bus/pci/drivers/i915/unbind"), IGD);
    host.assertRefusedWithoutChange(
        201,
        "pre-start",
        HOOK,
        IGD
            + " (mdev parent of hostpci0): driver: an mdev parent offers its types only with its host"
            + " driver, and it has no driver; fix: give it back to its host driver");
  }

  @Test
  void aFunctionWithoutAnIommuGroupIsRefused() throws Exception {
    SandboxHost host = radeon();
    Files.delete(host.root.resolve("sys/devices/pci0000:00/" + GPU + "/iommu_group"));
    host.assertRefusedWithoutChange(
        601,
        "pre-start",
        HOOK,
        GPU
            + " (whole device of hostpci0): iommu-group: it has no IOMMU group, so the IOMMU is off and"
            + " Proxmox's start fails; fix: enable VT-d or AMD-Vi");
  }

  /** The mapping names the GPU alone: its audio function stays on snd_hda_intel, in its group. */
  @Test
  void aGroupMemberLeftOnAHostDriverIsRefusedUnlessGpuReleaseTakesTheGroup() {
    SandboxHost host = radeon();
    host.write(
        "etc/pve/mapping/pci.cfg",
        host.read("etc/pve/mapping/pci.cfg").replace("path=0000:0b:00,", "path=" + GPU + ",")
            + "\n");
    host.assertRefusedWithoutChange(
        602,
        "pre-start",
        HOOK,
        GPU
            + " (whole device of hostpci0): iommu-group: IOMMU group 0 also holds "
            + AUDIO
            + " (snd_hda_intel), which the host uses: VFIO takes a group whole, so the start would"
            + " take it from the host; fix: put the card in a slot with a group of its own");

    host.write("etc/pve/qemu-server/601.conf", "hostpci0: " + GPU + ",pcie=1\nmemory: 2048\n");
    Cli.Result start = host.phase(601, "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
  }

  @Test
  void anotherStoppedGuestsMdevLeftOnTheParentIsRefused() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    String leftover = "00000000-0000-0000-0000-000000000999";
    SimulatedHost.sandbox(host.root)
        .write(
            HostPath.parse(
                "/sys/bus/pci/devices/" + IGD + "/mdev_supported_types/i915-GVTg_V5_8/create"),
            leftover);
    host.assertRefusedWithoutChange(
        201,
        "pre-start",
        HOOK,
        IGD
            + " (mdev parent of hostpci0): leftovers: another guest's mdev is still there: "
            + leftover
            + " (i915-GVTg_V5_8, VM 999, not running); fix: remove it (echo 1 >"
            + " /sys/bus/mdev/devices/"
            + leftover
            + "/remove), or run guesthook reconcile if guesthook made it");
  }

  /**
   * VM 202's pre-start made its mdev (guesthook's mdev hook, noted in its journal) and its QEMU is
   * not up yet: the guest is starting, and its mdev no leftover. Before, VM 201's start beside it
   * was refused as if 202's mdev were left behind, with the advice to remove it: from a guest that
   * was starting (and, on an NVIDIA parent, only after waiting out cleanup-wait). Seen as
   * RaceTest's two starts failing under load.
   */
  @Test
  void theMdevOfAGuestStillStartingIsNoLeftover() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    Cli.Result other = host.phase(202, "pre-start");
    assertEquals(0, other.exitCode(), other::toString);

    Cli.Result start = host.phase(201, "pre-start");

    assertEquals(0, start.exitCode(), start::toString);
  }

  /** {@code guesthook check} judges the same: 202's mdev, made by its pre-start, is no leftover. */
  @Test
  void checkSaysNoLeftoverForTheMdevOfAGuestStillStarting() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    Cli.Result other = host.phase(202, "pre-start");
    assertEquals(0, other.exitCode(), other::toString);

    Cli.Result check = host.check(201);

    assertEquals(0, check.exitCode(), check::toString);
    assertTrue(!check.out().contains("leftover"), check::toString);
  }

  /**
   * The same for an mdev qemu-server made for a guest it is starting (hostpci mdev=): its
   * reservation of the parent says the guest is starting.
   */
  @Test
  void theMdevOfAGuestQemuServerReservedForIsNoLeftover() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.GVT_G);
    String starting = "00000000-0000-0000-0000-000000000999";
    SimulatedHost.sandbox(host.root)
        .write(
            HostPath.parse(
                "/sys/bus/pci/devices/" + IGD + "/mdev_supported_types/i915-GVTg_V5_8/create"),
            starting);
    host.write(
        "run/qemu-server/pci-id-reservations",
        IGD + " 999 time:" + (java.time.Instant.now().getEpochSecond() + 300) + "\n");

    Cli.Result start = host.phase(201, "pre-start");

    assertEquals(0, start.exitCode(), start::toString);
  }

  /**
   * NVIDIA's driver removes a stopped guest's mdev itself, late: the gate waits for it as
   * qemu-server does (here 1 s of the 10), then refuses.
   */
  @Test
  void anNvidiaLeftoverIsWaitedForThenRefused() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.NVIDIA_VGPU);
    String parent = "0000:3b:00.0";
    String leftover = "00000000-0000-0000-0000-000000000999";
    SimulatedHost sim = SimulatedHost.sandbox(host.root);
    String type =
        sim.list(HostPath.parse("/sys/bus/pci/devices/" + parent + "/mdev_supported_types")).get(0);
    sim.write(
        HostPath.parse(
            "/sys/bus/pci/devices/" + parent + "/mdev_supported_types/" + type + "/create"),
        leftover);
    host.write(
        "etc/pve/guesthook/302.yaml",
        host.read("etc/pve/guesthook/302.yaml") + "\ndevice-health: { cleanup-wait: 1 }\n");
    long started = System.nanoTime();
    host.assertRefusedWithoutChange(
        302,
        "pre-start",
        HOOK,
        parent
            + " (mdev parent of mdev.devices[0]): leftovers: another guest's mdev is still there: "
            + leftover
            + " ("
            + type
            + ", VM 999, not running) after waiting 1 s for NVIDIA's driver to remove it");
    assertTrue(System.nanoTime() - started > 1_000_000_000L, "it waited");
  }

  /**
   * A GPU a kernel write hung on (marked wedged) is refused without reading it: a read of its
   * config space could wait behind the stuck write. Before, the gate read it, found it healthy and
   * passed.
   */
  @Test
  void aWedgedFunctionIsRefusedUnread() {
    SandboxHost host = radeon();
    new WedgedDevices(new FileTree(host.root))
        .mark(
            new Wedge(
                GPU,
                "/sys/bus/pci/devices/" + GPU + "/reset",
                "1",
                "2026-12-06T12:00:00Z",
                "dd pid 4242",
                4242));

    host.assertRefusedWithoutChange(
        601,
        "pre-start",
        "device-health",
        GPU + " (whole device of hostpci0): wedged: write 'reset'");
  }

  /**
   * vGPU 17: VM 401's VF still has a vGPU type set before its start (a guest that had it left it,
   * or runs with it). The gate waits for NVIDIA's driver to clear it (1 s here), then refuses.
   * Before, only mdev instances were looked for, and the VF passed.
   */
  @Test
  void aVgpuTypeLeftOnTheGuestsVfIsWaitedForThenRefused() {
    SandboxHost host = new SandboxHost(base, SandboxProfile.NVIDIA_VGPU_VF);
    String vf = "0000:41:00.4";
    SimulatedHost sim = SimulatedHost.sandbox(host.root);
    HostPath types = HostPath.parse("/sys/bus/pci/devices/" + vf + "/nvidia/creatable_vgpu_types");
    String type = sim.read(types).lines().skip(1).findFirst().orElseThrow().trim().split(" ")[0];
    sim.write(HostPath.parse("/sys/bus/pci/devices/" + vf + "/nvidia/current_vgpu_type"), type);
    host.settings(401, "device-health: { cleanup-wait: 1 }\n");

    host.assertRefusedWithoutChange(
        401,
        "pre-start",
        HOOK,
        vf
            + " (VF of hostpci0): leftovers: its vGPU type "
            + type
            + " is still set (nvidia/current_vgpu_type) after waiting 1 s");
  }
}
