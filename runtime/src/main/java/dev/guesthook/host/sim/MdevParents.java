package dev.guesthook.host.sim;

import static dev.guesthook.host.SysfsPaths.MDEV_DEVICES;

import dev.guesthook.host.HostPath;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import java.util.List;
import java.util.Optional;

/**
 * The drivers that register PCI devices as mdev parents (GVT-g, NVIDIA vGPU): the types a parent
 * offers and how they count instances. A type either keeps its own count, or draws on the parent's
 * one pool of units (real GVT-g and vGPU drivers do this): each instance of a type costs its units,
 * and every type's {@code available_instances} is the pool's free units divided by its cost.
 *
 * <p>The types exist only while the parent's driver is bound: unbinding it removes every instance
 * and {@code mdev_supported_types} (mdev_unregister_parent), binding it again brings the types back
 * with full counts. So the simulator keeps each parent's declaration under {@code
 * /.simulator/mdev/<parent>}: {@code driver}, an optional {@code pool} (units), and per type {@code
 * types/<type>/} with {@code name}, {@code description}, {@code device_api} and {@code units} (its
 * instances, or its cost in a pool).
 */
public final class MdevParents {
  private static final List<String> SHOWN = List.of("name", "description", "device_api");
  private final Sysfs sysfs;

  MdevParents(Sysfs sysfs) {
    this.sysfs = sysfs;
  }

  /**
   * What a parent's driver says about one of its types. The mdev core shows {@code description}
   * only for a driver that has one (mdev_types_core_is_visible); newer NVIDIA drivers have none.
   */
  public record TypeSpec(MdevType type, String name, Optional<String> description, int units) {}

  // --- declaring (the sandbox builder) -------------------------------------------------------

  /** Gives a parent one pool of {@code units} that all its types draw on; before any type. */
  public void declarePool(PciAddress parent, int units) {
    if (sysfs.tree().exists(SysfsPaths.mdevTypes(parent))) {
      throw new IllegalStateException(parent + " already has mdev types; declare its pool first");
    }
    writeDriver(parent);
    sysfs.tree().write(poolFile(parent), units + "\n");
  }

  /**
   * A type the parent's driver (bound now) offers: {@code units} is its own instance count, or with
   * a pool the units one instance costs.
   */
  public void declareType(PciAddress parent, TypeSpec spec) {
    writeDriver(parent);
    HostPath saved = declared(parent).resolve("types", spec.type().value());
    sysfs.tree().createDirectories(saved);
    sysfs.tree().write(saved.resolve("name"), spec.name() + "\n");
    spec.description()
        .ifPresent(text -> sysfs.tree().write(saved.resolve("description"), text + "\n"));
    sysfs.tree().write(saved.resolve("device_api"), "vfio-pci\n");
    sysfs.tree().write(saved.resolve("units"), spec.units() + "\n");
    showType(parent, spec.type().value());
    refreshPool(parent);
  }

  public boolean hasPool(PciAddress parent) {
    return sysfs.tree().exists(poolFile(parent));
  }

  // --- the driver's answers ------------------------------------------------------------------

  int available(HostPath typeDir) {
    return Integer.parseInt(sysfs.tree().read(typeDir.resolve("available_instances")).trim());
  }

  /**
   * After an instance of the type was made: it took one of the type's own, or its cost from the
   * pool.
   */
  void instanceCreated(PciAddress parent, HostPath typeDir) {
    adjustOwnCount(parent, typeDir, -1);
  }

  void instanceRemoved(PciAddress parent, HostPath typeDir) {
    adjustOwnCount(parent, typeDir, +1);
  }

  /** Takes an instance away with its links and IOMMU group; the caller does the accounting. */
  void removeInstance(HostPath dir, HostPath typeDir) {
    Optional<HostPath> group = sysfs.tree().readLink(dir.resolve("iommu_group"));
    sysfs.tree().delete(MDEV_DEVICES.resolve(dir.name()));
    sysfs.tree().delete(typeDir.resolve("devices", dir.name()));
    sysfs.tree().removeTree(dir);
    group.ifPresent(g -> sysfs.removeIommuGroup(g.name()));
  }

  /** The parent driver's remove: its instances go without a word, then its types. */
  void driverUnbound(PciAddress parent) {
    HostPath types = sysfs.deviceDir(parent).resolve("mdev_supported_types");
    if (!sysfs.tree().exists(types)) {
      return;
    }
    for (String type : sysfs.tree().list(types)) {
      HostPath typeDir = types.resolve(type);
      for (String instance : sysfs.tree().list(typeDir.resolve("devices"))) {
        removeInstance(sysfs.deviceDir(parent).resolve(instance), typeDir);
      }
    }
    sysfs.tree().removeTree(types);
  }

  /** The parent driver's probe registers the parent again: its types, every count full. */
  void driverBound(PciAddress parent, DriverName driver) {
    HostPath driverFile = declared(parent).resolve("driver");
    if (!sysfs.tree().exists(driverFile)
        || !sysfs.tree().read(driverFile).trim().equals(driver.value())) {
      return;
    }
    for (String type : sysfs.tree().list(declared(parent).resolve("types"))) {
      showType(parent, type);
    }
    refreshPool(parent);
  }

  // --- bookkeeping ---------------------------------------------------------------------------

  private void adjustOwnCount(PciAddress parent, HostPath typeDir, int change) {
    if (hasPool(parent)) {
      refreshPool(parent);
    } else {
      sysfs
          .tree()
          .write(typeDir.resolve("available_instances"), (available(typeDir) + change) + "\n");
    }
  }

  /** Every type of a pooled parent shows how many more of it the free units allow. */
  private void refreshPool(PciAddress parent) {
    if (!hasPool(parent)) {
      return;
    }
    HostPath types = SysfsPaths.mdevTypes(parent);
    int free = number(poolFile(parent));
    for (String type : sysfs.tree().list(types)) {
      free -= units(parent, type) * sysfs.tree().list(types.resolve(type, "devices")).size();
    }
    for (String type : sysfs.tree().list(types)) {
      sysfs
          .tree()
          .write(types.resolve(type, "available_instances"), free / units(parent, type) + "\n");
    }
  }

  /** Writes a type's directory as the driver registers it: no instances yet, its own full count. */
  private void showType(PciAddress parent, String type) {
    HostPath saved = declared(parent).resolve("types", type);
    HostPath dir = SysfsPaths.mdevTypes(parent).resolve(type);
    sysfs.tree().createDirectories(dir.resolve("devices"));
    for (String attribute : SHOWN) {
      if (sysfs.tree().exists(saved.resolve(attribute))) {
        sysfs.tree().write(dir.resolve(attribute), sysfs.tree().read(saved.resolve(attribute)));
      }
    }
    sysfs
        .tree()
        .write(
            dir.resolve("available_instances"), (hasPool(parent) ? 0 : units(parent, type)) + "\n");
    sysfs.tree().write(dir.resolve("create"), "");
  }

  private void writeDriver(PciAddress parent) {
    DriverName driver =
        sysfs
            .driverOf(parent)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "an mdev parent needs the driver that registers it; "
                            + parent
                            + " has none"));
    sysfs.tree().createDirectories(declared(parent));
    sysfs.tree().write(declared(parent).resolve("driver"), driver.value() + "\n");
    sysfs.tree().createDirectories(mdevDriver(driver));
  }

  /**
   * The mdev driver that binds the parent's instances. Since Linux 5.16 the vendor driver registers
   * its own (no vfio_mdev); like the test bed's gh_mdev and the kernel's mtty sample, the simulator
   * names it after the parent's PCI driver.
   */
  static HostPath mdevDriver(DriverName driver) {
    return HostPath.of("sys", "bus", "mdev", "drivers", driver.value());
  }

  /** A type's own instance count, or with a pool the units one instance costs. */
  private int units(PciAddress parent, String type) {
    return number(declared(parent).resolve("types", type, "units"));
  }

  private int number(HostPath file) {
    return Integer.parseInt(sysfs.tree().read(file).trim());
  }

  private static HostPath declared(PciAddress parent) {
    return Sysfs.PRIVATE.resolve("mdev", parent.value());
  }

  private static HostPath poolFile(PciAddress parent) {
    return declared(parent).resolve("pool");
  }
}
