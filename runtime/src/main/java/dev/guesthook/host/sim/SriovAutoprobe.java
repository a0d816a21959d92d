package dev.guesthook.host.sim;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.PciAddress;

/**
 * A PF's {@code sriov_drivers_autoprobe}: whether VFs it enables are probed for a driver. The
 * kernel's store (sriov_drivers_autoprobe_store in drivers/pci/iov.c) takes what kstrtobool takes
 * and refuses the rest with EINVAL; the attribute then reads 1 or 0. Before, the sandbox kept any
 * text written, and took "2" as off.
 */
final class SriovAutoprobe implements KernelAttribute {
  private final Sysfs sysfs;

  SriovAutoprobe(Sysfs sysfs) {
    this.sysfs = sysfs;
  }

  @Override
  public boolean handles(HostPath path) {
    return path.name().equals("sriov_drivers_autoprobe");
  }

  @Override
  public void store(HostPath path, String value) {
    boolean on = KernelErrors.bool(path, value, "a yes/no (1/0, y/n, on/off)");
    sysfs.setAttribute(new PciAddress(path.parent().name()), path.name(), on ? "1" : "0");
  }
}
