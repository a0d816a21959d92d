package dev.guesthook.host;

import dev.guesthook.id.DriverName;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;

/** Where the kernel puts things in sysfs; every path here is built from a validated identifier. */
public final class SysfsPaths {
  public static final HostPath PCI_DEVICES = HostPath.of("sys", "bus", "pci", "devices");
  public static final HostPath PCI_DRIVERS = HostPath.of("sys", "bus", "pci", "drivers");
  public static final HostPath DRIVERS_PROBE = HostPath.of("sys", "bus", "pci", "drivers_probe");
  public static final HostPath MDEV_DEVICES = HostPath.of("sys", "bus", "mdev", "devices");
  public static final HostPath IOMMU_GROUPS = HostPath.of("sys", "kernel", "iommu_groups");
  public static final HostPath NET_CLASS = HostPath.of("sys", "class", "net");

  private SysfsPaths() {}

  public static HostPath device(PciAddress address) {
    return PCI_DEVICES.resolve(address.value());
  }

  public static HostPath device(PciAddress address, String attribute) {
    return device(address).resolve(attribute);
  }

  public static HostPath driver(DriverName driver) {
    return PCI_DRIVERS.resolve(driver.value());
  }

  public static HostPath mdevTypes(PciAddress parent) {
    return device(parent, "mdev_supported_types");
  }

  public static HostPath mdevType(PciAddress parent, MdevType type) {
    return mdevTypes(parent).resolve(type.value());
  }

  public static HostPath mdev(Uuid uuid) {
    return MDEV_DEVICES.resolve(uuid.value());
  }

  public static HostPath nvidia(PciAddress vf, String attribute) {
    return device(vf).resolve("nvidia").resolve(attribute);
  }

  /**
   * An id attribute's value: vendor and device read "0x8086", sriov_vf_device reads "154c"; both
   * are hex.
   */
  public static int hex(String attribute) {
    String text = attribute.trim();
    return Integer.parseInt(text.startsWith("0x") ? text.substring(2) : text, 16);
  }
}
