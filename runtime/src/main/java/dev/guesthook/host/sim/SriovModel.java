package dev.guesthook.host.sim;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code sriov_numvfs} as drivers/pci/iov.c stores it, checked in the kernel's order: a value
 * kstrtou16 refuses is EINVAL, a count above {@code sriov_totalvfs} ERANGE, the current count a
 * success that changes nothing; then a PF without a driver, or whose driver cannot configure SR-IOV
 * (vfio-pci without {@code enable_sriov}), is ENOENT, and changing a non-zero count to another
 * non-zero count is EBUSY (go through 0). Enabling makes the VF functions appear at {@code PF +
 * sriov_offset + i * sriov_stride} with {@code physfn}/{@code virtfnN} links and their own IOMMU
 * groups, probed for a driver when {@code sriov_drivers_autoprobe} is 1; disabling removes them
 * again ({@link Sysfs#unbind} does too: a PF driver's remove disables SR-IOV).
 */
final class SriovModel implements KernelAttribute {
  private static final DriverName VFIO_PCI = new DriverName("vfio-pci");
  private static final HostPath VFIO_PCI_ENABLE_SRIOV =
      HostPath.of("sys", "module", "vfio_pci", "parameters", "enable_sriov");
  private final Sysfs sysfs;
  private final NvidiaVgpuModel nvidia;

  SriovModel(Sysfs sysfs, NvidiaVgpuModel nvidia) {
    this.sysfs = sysfs;
    this.nvidia = nvidia;
  }

  @Override
  public boolean handles(HostPath path) {
    return path.name().equals("sriov_numvfs");
  }

  @Override
  public void store(HostPath path, String value) {
    PciAddress pf = new PciAddress(path.parent().name());
    int wanted = (int) KernelErrors.number(path, value, "a VF count", 0, 0xffff);
    int total = Integer.parseInt(sysfs.attribute(pf, "sriov_totalvfs"));
    if (wanted > total) {
      throw KernelErrors.of(
          "ERANGE", path, "Numerical result out of range", wanted + " > sriov_totalvfs " + total);
    }
    int current = Integer.parseInt(sysfs.attribute(pf, "sriov_numvfs"));
    if (wanted == current) {
      return;
    }
    Optional<DriverName> driver = sysfs.driverOf(pf);
    if (driver.isEmpty()) {
      throw KernelErrors.of(
          "ENOENT",
          path,
          "No such file or directory",
          "no driver bound to device; cannot configure SR-IOV");
    }
    if (!canConfigureSriov(driver.get())) {
      throw KernelErrors.of(
          "ENOENT",
          path,
          "No such file or directory",
          "driver does not support SR-IOV configuration via sysfs");
    }
    if (wanted != 0 && current != 0) {
      throw KernelErrors.busy(
          path, current + " VFs already enabled. Disable before enabling " + wanted + " VFs");
    }
    if (wanted == 0) {
      sysfs.disableVfs(pf);
    } else {
      enable(pf, wanted);
      sysfs.setAttribute(pf, "sriov_numvfs", Integer.toString(wanted));
    }
  }

  /**
   * Whether the PF's driver has a working {@code sriov_configure}: vfio-pci's refuses unless it was
   * loaded with {@code enable_sriov=1} (vfio_pci_sriov_configure returns -ENOENT; an absent
   * parameter file is the default, off); PF drivers have one.
   */
  private boolean canConfigureSriov(DriverName driver) {
    if (!driver.equals(VFIO_PCI)) {
      return true;
    }
    // A bool module parameter takes y, Y or 1 for true.
    return sysfs.tree().exists(VFIO_PCI_ENABLE_SRIOV)
        && sysfs.tree().read(VFIO_PCI_ENABLE_SRIOV).matches("[yY1]\\n?");
  }

  /** The SR-IOV specification requires every VF to support function level reset. */
  private static final List<String> VF_RESET = List.of("flr");

  private void enable(PciAddress pf, int count) {
    int offset = Integer.parseInt(sysfs.attribute(pf, "sriov_offset"));
    int stride = Integer.parseInt(sysfs.attribute(pf, "sriov_stride"));
    int vfDevice = sysfs.hexAttribute(pf, "sriov_vf_device");
    boolean autoprobe = "1".equals(sysfs.attribute(pf, "sriov_drivers_autoprobe"));
    HostPath pfDir = sysfs.deviceDir(pf);
    List<PciAddress> vfs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      PciAddress vf = PciAddress.of(pf.domain(), pf.routingId() + offset + i * stride);
      PciDeviceSpec spec =
          new PciDeviceSpec(
              vf,
              sysfs.hexAttribute(pf, "vendor"),
              vfDevice,
              sysfs.hexAttribute(pf, "subsystem_vendor"),
              sysfs.hexAttribute(pf, "subsystem_device"),
              sysfs.hexAttribute(pf, "class"));
      HostPath vfDir = sysfs.addDevice(spec, Optional.of(pf));
      sysfs.setSupportedResetMethods(vf, VF_RESET);
      sysfs.tree().link(vfDir.resolve("physfn"), pfDir);
      sysfs.tree().link(pfDir.resolve("virtfn" + i), vfDir);
      sysfs.newIommuGroup(List.of(vf));
      vfs.add(vf);
    }
    nvidia.vfsEnabled(pf, vfs);
    if (autoprobe) {
      vfs.forEach(sysfs::probe);
    }
  }
}
