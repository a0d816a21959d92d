package dev.guesthook.host;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import dev.guesthook.id.Uuid;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A sysfs write that can block on a device for as long as the device (or its driver) lets it: the
 * store takes the device's lock ({@code device_lock}) or calls into a driver's probe, remove or
 * reset, and a thread in such a write cannot be interrupted. {@code driver_override} is one of
 * them: since Linux 4.13 its store takes the device's lock, so it waits behind a stuck unbind or
 * probe of the same device. Plain attributes (a VF's MAC through {@code ip}, NVIDIA's {@code
 * current_vgpu_type}) are not listed: they do not wait for a probe or a remove.
 *
 * @param device the device the write can wedge, as {@link #deviceOf} names it: a PCI address, an
 *     mdev's UUID, or {@code driver <name>} for a driver's id table
 */
public record RiskyWrite(HostPath path, String value, String device) {
  private static final Set<String> ON_A_DRIVER = Set.of("bind", "unbind", "new_id", "remove_id");
  private static final Set<String> ON_A_DEVICE =
      Set.of("reset", "remove", "driver_override", "sriov_numvfs");
  private static final HostPath SYS = HostPath.of("sys");

  /** The write's risky kind when {@code path} is one; empty for every other write. */
  public static Optional<RiskyWrite> of(HostPath path, String value) {
    if (!path.startsWith(SYS) || path.segments().size() < 2) {
      return Optional.empty();
    }
    String name = path.name();
    boolean risky =
        ON_A_DRIVER.contains(name)
            || ON_A_DEVICE.contains(name)
            || name.equals("drivers_probe")
            || (name.equals("create") && isMdevType(path.parent()));
    return risky
        ? Optional.of(new RiskyWrite(path, value, deviceOf(path, value)))
        : Optional.empty();
  }

  /** What a wedge of this write would be named by: its attribute and the device, for messages. */
  public String describe() {
    return "'" + path.name() + "' (" + path + " <- " + Printable.of(value.strip()) + ")";
  }

  private static boolean isMdevType(HostPath type) {
    List<String> s = type.segments();
    return s.size() >= 2 && s.get(s.size() - 2).equals("mdev_supported_types");
  }

  /**
   * The device a write acts on: the PCI address it is given (bind, unbind, drivers_probe), the
   * device whose folder holds the attribute (reset, remove, driver_override, sriov_numvfs; an mdev
   * type's parent for create; an mdev's UUID for its remove), else the driver whose id table it
   * changes. In a path the device is the last PCI address or UUID named: a canonical path ({@code
   * /sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0/remove}) names the root bus and the bridges
   * first.
   */
  static String deviceOf(HostPath path, String value) {
    Optional<String> given = pciAddress(value.strip());
    if (given.isPresent()) {
      return given.get(); // given to bind, unbind or drivers_probe
    }
    List<String> s = path.segments();
    for (int i = s.size() - 2; i >= 0; i--) {
      Optional<String> device = deviceNamed(s.get(i));
      if (device.isPresent()) {
        return device.get();
      }
    }
    int drivers = s.indexOf("drivers");
    if (drivers >= 0 && drivers + 1 < s.size() - 1) {
      return "driver " + s.get(drivers + 1);
    }
    return path.toString();
  }

  /**
   * The PCI address or mdev UUID a name is, in its canonical form: how marks name a device (a
   * driver's is {@code driver NAME}).
   */
  public static Optional<String> deviceNamed(String name) {
    Optional<String> address = pciAddress(name);
    if (address.isPresent()) {
      return address;
    }
    try {
      return Optional.of(Uuid.parse(name).value());
    } catch (IllegalArgumentException notAUuid) {
      return Optional.empty();
    }
  }

  private static Optional<String> pciAddress(String name) {
    try {
      return Optional.of(PciAddress.parse(name).value());
    } catch (IllegalArgumentException notAnAddress) {
      return Optional.empty();
    }
  }
}
