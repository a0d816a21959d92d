package dev.guesthook.devices;

import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.host.WedgedDevices;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The health gate's checks of one PCI function a guest is about to get, each read from sysfs and
 * answering a {@link Problem} (the device, the check, what is wrong and the fix) or nothing. Each
 * follows what makes Proxmox's start, or the guest's use of the device, fail later: Linux's
 * pci-sysfs.c and pci.c for the power state, qemu-server's prepare_pci_device and pve-common's
 * pci_dev_group_bind_to_vfio for drivers and IOMMU groups, qemu-server's cleanup_pci_devices for
 * the NVIDIA mdev cleanup it waits for.
 */
public final class DeviceHealth {
  /** NVIDIA's vendor id: its vGPU driver removes a stopped guest's mdevs itself, late. */
  private static final int NVIDIA = 0x10de;

  /** qemu-server's cleanup_pci_devices polls once a second. */
  private static final Duration CLEANUP_POLL = Duration.ofSeconds(1);

  /** What a function is to the guest: what it needs from the host differs. */
  public enum Role {
    WHOLE("whole device"),
    VF("VF"),
    MDEV_PARENT("mdev parent");

    private final String text;

    Role(String text) {
      this.text = text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /**
   * A check that refuses the start; {@code check} is its name in the gate's settings.
   *
   * @param device the function
   * @param check the setting that turns this check off
   * @param what what is wrong, for the task log
   * @param fix what the admin does about it
   */
  public record Problem(PciAddress device, String check, String what, String fix) {}

  private final HostPort host;
  private final PciDevices pci;
  private final MediatedDevices mdev;

  public DeviceHealth(HostPort host) {
    this.host = host;
    this.pci = new PciDevices(host);
    this.mdev = new MediatedDevices(host, pci);
  }

  /**
   * power_state shows the kernel's cached state (power_state_show, Linux 5.11+). D0 to D3hot are
   * normal: vfio-pci lets an idle device drop to D3hot, and "unknown" is a function no driver has
   * probed yet. "error" is a transition that failed. D3cold is normal only while runtime suspended:
   * a config read resumes the device (pci_config_pm_runtime_get), so one that still shows D3cold
   * after it has lost its power or left the bus.
   */
  public Optional<Problem> powerState(PciAddress device) {
    HostPath file = SysfsPaths.device(device, "power_state");
    if (!host.exists(file)) {
      return Optional.empty(); // a kernel before 5.11 does not say
    }
    String state = host.read(file).strip();
    if (state.equals("error")) {
      return Optional.of(
          new Problem(
              device,
              "power-state",
              "its last power transition failed (power_state is error)",
              "look at dmesg for the device, then remove it and rescan"
                  + " (echo 1 > /sys/bus/pci/devices/"
                  + device
                  + "/remove, echo 1 > /sys/bus/pci/rescan) or reboot the host"));
    }
    if (!state.equals("D3cold")) {
      return Optional.empty();
    }
    pci.configAnswers(device); // wakes a runtime-suspended function, as lspci would
    if (!host.read(file).strip().equals("D3cold")) {
      return Optional.empty();
    }
    return Optional.of(
        new Problem(
            device,
            "power-state",
            "it stays in D3cold after a config read, which wakes a suspended device: its slot"
                + " has no power or it left the bus",
            "look at dmesg for the device, then remove it and rescan (echo 1 >"
                + " /sys/bus/pci/devices/"
                + device
                + "/remove, echo 1 > /sys/bus/pci/rescan) or power-cycle the host"));
  }

  /**
   * A function a kernel write never returned from ({@link WedgedDevices}): it is not read at all,
   * as a read of its config space can wait behind the stuck write, and it is no device to hand to a
   * guest until a person has looked.
   */
  public Optional<Problem> wedged(PciAddress device) {
    return new WedgedDevices(host)
        .find(device.value())
        .map(wedge -> new Problem(device, "wedged", wedge.stuck(), wedge.fix()));
  }

  /**
   * Config space read from {@code config} (the ids sysfs shows are the kernel's cached ones): all
   * ones is a function that no longer answers (fallen off the bus, or hung after a crash of its
   * last guest), which QEMU would hand over as such.
   */
  public Optional<Problem> configSpace(PciAddress device) {
    if (pci.configAnswers(device)) {
      return Optional.empty();
    }
    return Optional.of(
        new Problem(
            device,
            "config-space",
            "its config space reads all ones: the device does not answer",
            "look at dmesg for the device, reset it (echo 1 > /sys/bus/pci/devices/"
                + device
                + "/reset) or remove it and rescan, or reboot the host"));
  }

  /**
   * A driver the device must not have, by role. An mdev parent needs its host driver: its types
   * come and go with it, and on vfio-pci it has none. A whole device or VF goes to vfio-pci at
   * start, by pve-common's bind (Proxmox) or by our hooks' driver_override; a driver_override
   * naming another driver makes the kernel refuse vfio-pci's bind, unless one of our hooks rewrites
   * it ({@code movedByHook}).
   */
  public Optional<Problem> driver(PciAddress device, Role role, boolean movedByHook) {
    Optional<DriverName> driver = pci.driver(device);
    if (role == Role.MDEV_PARENT) {
      if (driver.isPresent() && !driver.get().equals(DriverName.VFIO_PCI)) {
        return Optional.empty();
      }
      return Optional.of(
          new Problem(
              device,
              "driver",
              "an mdev parent offers its types only with its host driver, and it has "
                  + driver.map(DriverName::value).orElse("no driver"),
              "give it back to its host driver (echo > /sys/bus/pci/devices/"
                  + device
                  + "/driver_override"
                  + driver
                      .map(d -> ", echo " + device + " > /sys/bus/pci/drivers/" + d + "/unbind")
                      .orElse("")
                  + ", echo "
                  + device
                  + " > /sys/bus/pci/drivers_probe)"));
    }
    String override = pci.driverOverride(device);
    if (movedByHook || override.isEmpty() || override.equals(DriverName.VFIO_PCI.value())) {
      return Optional.empty();
    }
    return Optional.of(
        new Problem(
            device,
            "driver",
            "its driver_override names "
                + override
                + ", so the kernel refuses vfio-pci's bind at start and Proxmox cannot take it",
            "clear it (echo > /sys/bus/pci/devices/" + device + "/driver_override)"));
  }

  /**
   * The function has an IOMMU group (without one Proxmox's start fails: "cannot prepare PCI
   * pass-through, IOMMU not present"), and no other endpoint of the group is on a host driver: VFIO
   * takes a group whole, so Proxmox's start would take that device from the host, unless a hook of
   * ours takes the group for this guest ({@code groupTakenByHook}). The guest's own functions,
   * bridges, and members with no driver or vfio-pci are fine.
   */
  public Optional<Problem> iommuGroup(
      PciAddress device, Set<PciAddress> guestFunctions, boolean groupTakenByHook) {
    Optional<String> group =
        host.readLink(SysfsPaths.device(device, "iommu_group")).map(HostPath::name);
    if (group.isEmpty()) {
      return Optional.of(
          new Problem(
              device,
              "iommu-group",
              "it has no IOMMU group, so the IOMMU is off and Proxmox's start fails",
              "enable VT-d or AMD-Vi in the firmware and add intel_iommu=on (Intel) to the kernel"
                  + " command line"));
    }
    if (groupTakenByHook) {
      return Optional.empty();
    }
    // Read per member only what decides (its driver, then its class): a gate on every start
    // stays a few sysfs reads per function.
    List<String> onHostDrivers = new ArrayList<>();
    for (String name : host.list(SysfsPaths.IOMMU_GROUPS.resolve(group.get(), "devices"))) {
      PciAddress member = new PciAddress(name);
      if (member.equals(device) || guestFunctions.contains(member)) {
        continue;
      }
      Optional<DriverName> driver = pci.driver(member);
      if (driver.isPresent() && !driver.get().equals(DriverName.VFIO_PCI) && !isBridge(member)) {
        onHostDrivers.add(member + " (" + driver.get() + ")");
      }
    }
    if (onHostDrivers.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Problem(
            device,
            "iommu-group",
            "IOMMU group "
                + group.get()
                + " also holds "
                + String.join(", ", onHostDrivers)
                + ", which the host uses: VFIO takes a group whole, so the start would take it"
                + " from the host",
            "put the card in a slot with a group of its own, or pass the whole group to the"
                + " guest"));
  }

  /** A VF (it has a {@code physfn}) is handed over whole as well, but the sriov-vf hook's. */
  public Role wholeOrVf(PciAddress device) {
    return host.readLink(SysfsPaths.device(device, "physfn")).isPresent() ? Role.VF : Role.WHOLE;
  }

  private boolean isBridge(PciAddress device) {
    return (vendorOrClass(device, "class") >> 8) == 0x0604;
  }

  private int vendorOrClass(PciAddress device, String attribute) {
    return SysfsPaths.hex(host.read(SysfsPaths.device(device, attribute)));
  }

  /**
   * mdev instances on {@code parent} of another guest that is not running: what its stop left. As
   * qemu-server's cleanup_pci_devices does for NVIDIA's driver, which removes them itself a moment
   * late, waits up to {@code wait} (polled each second, interruptible) for NVIDIA's to go.
   */
  public Optional<Problem> leftovers(
      PciAddress parent, VmId guest, Predicate<VmId> running, Duration wait) {
    long started = System.nanoTime();
    List<MdevInstance> left = leftoversOn(parent, guest, running);
    boolean nvidia = !left.isEmpty() && vendorOrClass(parent, "vendor") == NVIDIA;
    if (nvidia) {
      long deadline = started + wait.toNanos();
      while (!left.isEmpty() && System.nanoTime() < deadline) {
        sleep(parent);
        left = leftoversOn(parent, guest, running);
      }
    }
    if (left.isEmpty()) {
      return Optional.empty();
    }
    List<String> named =
        left.stream()
            .map(i -> i.uuid() + " (" + i.type() + ", VM " + owner(i) + ", not running)")
            .toList();
    return Optional.of(
        new Problem(
            parent,
            "leftovers",
            "another guest's mdev is still there: "
                + String.join(", ", named)
                + (nvidia
                    ? " after waiting "
                        + secondsSince(started)
                        + " s for NVIDIA's driver to remove it"
                    : ""),
            "remove it (echo 1 > /sys/bus/mdev/devices/"
                + left.get(0).uuid()
                + "/remove), or run guesthook reconcile if guesthook made it"));
  }

  private List<MdevInstance> leftoversOn(PciAddress parent, VmId guest, Predicate<VmId> running) {
    return mdev.instances().stream()
        .filter(i -> i.parent().equals(parent))
        .filter(
            i ->
                i.uuid()
                    .proxmoxOwner()
                    .map(o -> !o.vmid().equals(guest) && !running.test(o.vmid()))
                    .orElse(false))
        .toList();
  }

  private static VmId owner(MdevInstance instance) {
    return instance.uuid().proxmoxOwner().orElseThrow().vmid();
  }

  /**
   * A vGPU 17 VF this guest names: Proxmox sets its {@code current_vgpu_type} at start and NVIDIA's
   * driver clears it after the guest that had it stops, late (qemu-server waits up to 10 s for it).
   * One still set after {@code wait} is a guest's leftover, or the VF of a guest that runs.
   */
  public Optional<Problem> vgpuLeftover(PciAddress vf, Duration wait) {
    NvidiaVgpus nvidia = new NvidiaVgpus(host, new SriovDevices(host, pci));
    long started = System.nanoTime();
    long deadline = started + wait.toNanos();
    int type = nvidia.currentType(vf);
    while (type != 0 && System.nanoTime() < deadline) {
      sleep(vf);
      type = nvidia.currentType(vf);
    }
    if (type == 0) {
      return Optional.empty();
    }
    return Optional.of(
        new Problem(
            vf,
            "leftovers",
            "its vGPU type "
                + type
                + " is still set (nvidia/current_vgpu_type) after waiting "
                + secondsSince(started)
                + " s: a guest that had this VF left it, or one that runs has it",
            "stop the guest that uses this VF, or clear it (echo 0 >"
                + " /sys/bus/pci/devices/"
                + vf
                + "/nvidia/current_vgpu_type)"));
  }

  /**
   * The wait as it was, in whole seconds: the gate's budget is shared by all parents, so what one
   * parent had left is not the setting.
   */
  private static long secondsSince(long started) {
    return Math.round((System.nanoTime() - started) / 1e9);
  }

  private static void sleep(PciAddress parent) {
    try {
      Thread.sleep(CLEANUP_POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeviceException(
          parent + ": interrupted while waiting for another guest's mdev to go");
    }
  }
}
