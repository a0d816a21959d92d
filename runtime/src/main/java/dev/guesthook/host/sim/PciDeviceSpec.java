package dev.guesthook.host.sim;

import dev.guesthook.id.PciAddress;

/** What a PCI function looks like to the kernel: its ids as lspci -nn shows them, and its class. */
public record PciDeviceSpec(
    PciAddress address,
    int vendor,
    int device,
    int subsystemVendor,
    int subsystemDevice,
    int classCode) {

  public static PciDeviceSpec of(String address, int vendor, int device, int classCode) {
    return new PciDeviceSpec(PciAddress.parse(address), vendor, device, vendor, 0, classCode);
  }

  public PciDeviceSpec subsystem(int newVendor, int newDevice) {
    return new PciDeviceSpec(address, vendor, device, newVendor, newDevice, classCode);
  }

  public PciDeviceSpec at(PciAddress other) {
    return new PciDeviceSpec(other, vendor, device, subsystemVendor, subsystemDevice, classCode);
  }
}
