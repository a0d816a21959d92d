package dev.guesthook.host.sim;

import static dev.guesthook.host.SysfsPaths.MDEV_DEVICES;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import java.util.List;

/**
 * Mediated devices as drivers/vfio/mdev does them: a UUID written to a type's {@code create} makes
 * {@code <parent>/<uuid>} (with {@code mdev_type}, {@code remove}, {@code iommu_group} and {@code
 * driver} links) and {@code /sys/bus/mdev/devices/<uuid>}, and takes one of the type's {@code
 * available_instances}; writing 1 to the instance's {@code remove} gives it back. A malformed UUID
 * is EINVAL (upper-case hex is taken, the device is named in lower case), a UUID in use on any type
 * of any parent EEXIST, an exhausted type ENOSPC (the GVT-g answer; drivers with the mdev core's
 * own accounting answer EUSERS), an unknown type ENOENT because its directory is absent. How a
 * parent's types count their instances (each its own, or one shared pool) is {@link MdevParents}.
 */
final class MdevModel implements KernelAttribute {
  private final Sysfs sysfs;
  private final MdevParents parents;

  MdevModel(Sysfs sysfs) {
    this.sysfs = sysfs;
    this.parents = sysfs.mdevParents();
  }

  @Override
  public boolean handles(HostPath path) {
    return isCreate(path) || isRemove(path);
  }

  @Override
  public void store(HostPath path, String value) {
    if (isCreate(path)) {
      create(path, value);
    } else {
      remove(path, value);
    }
  }

  private boolean isCreate(HostPath path) {
    return path.name().equals("create")
        && path.parent().parent().name().equals("mdev_supported_types");
  }

  private boolean isRemove(HostPath path) {
    return path.name().equals("remove")
        && sysfs.tree().readLink(path.parent().resolve("mdev_type")).isPresent();
  }

  private void create(HostPath path, String value) {
    Uuid uuid = parseUuid(path, value);
    if (sysfs.tree().exists(MDEV_DEVICES.resolve(uuid.value()))) {
      // mdev_device_create looks through every parent's devices, so another type or parent is no
      // escape.
      throw KernelErrors.of("EEXIST", path, "File exists", "mdev " + uuid + " already exists");
    }
    PciAddress parent = new PciAddress(path.parent().parent().parent().name());
    HostPath typeDir =
        sysfs.deviceDir(parent).resolve("mdev_supported_types", path.parent().name());
    if (parents.available(typeDir) < 1) {
      throw KernelErrors.of(
          "ENOSPC",
          path,
          "No space left on device",
          "no available instances of " + typeDir.name() + " on " + parent);
    }
    HostPath dir = sysfs.deviceDir(parent).resolve(uuid.value());
    sysfs.tree().makeDirectory(dir);
    sysfs.tree().link(dir.resolve("mdev_type"), typeDir);
    sysfs.tree().write(dir.resolve("remove"), "");
    sysfs
        .tree()
        .link(dir.resolve("driver"), MdevParents.mdevDriver(sysfs.driverOf(parent).orElseThrow()));
    sysfs.tree().createDirectories(MDEV_DEVICES);
    sysfs.tree().link(MDEV_DEVICES.resolve(uuid.value()), dir);
    sysfs.tree().createDirectories(typeDir.resolve("devices"));
    sysfs.tree().link(typeDir.resolve("devices", uuid.value()), dir);
    sysfs.joinIommuGroup(sysfs.newIommuGroup(List.of()), dir, uuid.value());
    parents.instanceCreated(parent, typeDir);
  }

  private void remove(HostPath path, String value) {
    long flag = KernelErrors.number(path, value, "a number", 0, Long.MAX_VALUE);
    if (flag == 0) {
      return;
    }
    HostPath dir =
        sysfs
            .tree()
            .readLink(MDEV_DEVICES.resolve(path.parent().name()))
            .orElseThrow(() -> KernelErrors.noDevice(path, "mdev vanished"));
    HostPath typeDir = sysfs.tree().readLink(dir.resolve("mdev_type")).orElseThrow();
    parents.removeInstance(dir, typeDir);
    parents.instanceRemoved(new PciAddress(dir.parent().name()), typeDir);
  }

  private static Uuid parseUuid(HostPath path, String value) {
    try {
      // uuid_is_valid: exactly 36 characters, so no spaces around it; one trailing newline is
      // dropped.
      return Uuid.parse(KernelErrors.oneLine(value));
    } catch (IllegalArgumentException e) {
      throw KernelErrors.invalid(path, "not a UUID");
    }
  }
}
