package dev.guesthook.devices;

import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import java.util.List;
import java.util.Optional;

/**
 * A PCI function as sysfs shows it: ids, class, driver in use, IOMMU group and the group's members.
 */
public record PciDevice(
    PciAddress address,
    int vendor,
    int device,
    int subsystemVendor,
    int subsystemDevice,
    int classCode,
    Optional<DriverName> driver,
    Optional<String> iommuGroup,
    List<PciAddress> groupMembers,
    Optional<PciAddress> physfn) {

  public boolean isVirtualFunction() {
    return physfn.isPresent();
  }

  /** PCI-to-PCI bridges share a group with endpoints but are never handed to a VM. */
  public boolean isBridge() {
    return (classCode >> 8) == 0x0604;
  }

  /** {@code 10de:26b9} as lspci -n prints it. */
  public String ids() {
    return String.format("%04x:%04x", vendor, device);
  }
}
