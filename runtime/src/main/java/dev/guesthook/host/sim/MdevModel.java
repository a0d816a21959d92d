package dev.guesthook.host.sim;

import static dev.guesthook.host.SysfsPaths.MDEV_DEVICES;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import dev.guesthook.host.HostPath;
import java.util.Optional;

/**
 * Mediated devices as drivers/vfio/mdev does them: a UUID written to a type's {@code create} makes
 * {@code <parent>/<uuid>} (with {@code mdev_type}, {@code remove}, {@code iommu_group} and
 * {@code driver} links) and {@code /sys/bus/mdev/devices/<uuid>}, and takes one of the type's
 * {@code available_instances}; writing 1 to the instance's {@code remove} gives it back. A malformed
 * UUID is EINVAL, a UUID in use EEXIST, an exhausted type ENOSPC (the GVT-g answer; drivers with the
 * mdev core's own accounting answer EUSERS), an unknown type ENOENT because its directory is absent.
 */
final class MdevModel implements KernelAttribute {
  private static final HostPath VFIO_MDEV = HostPath.of("sys", "bus", "mdev", "drivers", "vfio_mdev");
  private final Sysfs sysfs;

  MdevModel(Sysfs sysfs) {
    this.sysfs = sysfs;
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
    return path.name().equals("create") && path.parent().parent().name().equals("mdev_supported_types");
  }

  private boolean isRemove(HostPath path) {
    return path.name().equals("remove") && sysfs.tree().readLink(path.parent().resolve("mdev_type")).isPresent();
  }

  private void create(HostPath path, String value) {
    Uuid uuid = parseUuid(path, value);
    if (sysfs.tree().exists(MDEV_DEVICES.resolve(uuid.value()))) {
      throw KernelErrors.of("EEXIST", path, "File exists", "mdev " + uuid + " already exists");
    }
    PciAddress parent = new PciAddress(path.parent().parent().parent().name());
    HostPath typeDir = sysfs.deviceDir(parent).resolve("mdev_supported_types", path.parent().name());
    int available = Integer.parseInt(sysfs.tree().read(typeDir.resolve("available_instances")).trim());
    if (available < 1) {
      throw KernelErrors.of("ENOSPC", path, "No space left on device",
          "no available instances of " + typeDir.name() + " on " + parent);
    }
    HostPath dir = sysfs.deviceDir(parent).resolve(uuid.value());
    sysfs.tree().makeDirectory(dir);
    sysfs.tree().link(dir.resolve("mdev_type"), typeDir);
    sysfs.tree().write(dir.resolve("remove"), "");
    sysfs.tree().createDirectories(VFIO_MDEV);
    sysfs.tree().link(dir.resolve("driver"), VFIO_MDEV);
    sysfs.tree().createDirectories(MDEV_DEVICES);
    sysfs.tree().link(MDEV_DEVICES.resolve(uuid.value()), dir);
    sysfs.tree().createDirectories(typeDir.resolve("devices"));
    sysfs.tree().link(typeDir.resolve("devices", uuid.value()), dir);
    sysfs.joinIommuGroup(sysfs.newIommuGroup(java.util.List.of()), dir, uuid.value());
    sysfs.tree().write(typeDir.resolve("available_instances"), (available - 1) + "\n");
  }

  private void remove(HostPath path, String value) {
    long flag = KernelErrors.number(path, value, "a number", 0, Long.MAX_VALUE);
    if (flag == 0) {
      return;
    }
    HostPath dir = sysfs.tree().readLink(MDEV_DEVICES.resolve(path.parent().name()))
        .orElseThrow(() -> KernelErrors.noDevice(path, "mdev vanished"));
    HostPath typeDir = sysfs.tree().readLink(dir.resolve("mdev_type")).orElseThrow();
    Optional<HostPath> group = sysfs.tree().readLink(dir.resolve("iommu_group"));
    sysfs.tree().delete(MDEV_DEVICES.resolve(dir.name()));
    sysfs.tree().delete(typeDir.resolve("devices", dir.name()));
    sysfs.tree().removeTree(dir);
    group.ifPresent(g -> sysfs.removeIommuGroup(g.name()));
    int available = Integer.parseInt(sysfs.tree().read(typeDir.resolve("available_instances")).trim());
    sysfs.tree().write(typeDir.resolve("available_instances"), (available + 1) + "\n");
  }

  private static Uuid parseUuid(HostPath path, String value) {
    try {
      // uuid_is_valid: exactly 36 characters, so no spaces around it; one trailing newline is dropped.
      return Uuid.parse(KernelErrors.oneLine(value));
    } catch (IllegalArgumentException e) {
      throw KernelErrors.invalid(path, "not a UUID");
    }
  }
}
