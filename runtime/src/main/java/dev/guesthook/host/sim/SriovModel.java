package dev.guesthook.host.sim;

import dev.guesthook.id.PciAddress;
import dev.guesthook.host.HostPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code sriov_numvfs} as drivers/pci/iov.c stores it: a count above {@code sriov_totalvfs} is ERANGE,
 * a PF without a driver is ENOENT, changing a non-zero count to another non-zero count is EBUSY (go
 * through 0). Enabling makes the VF functions appear at {@code PF + sriov_offset + i * sriov_stride}
 * with {@code physfn}/{@code virtfnN} links and their own IOMMU groups, probed for a driver when
 * {@code sriov_drivers_autoprobe} is 1; disabling removes them again.
 */
final class SriovModel implements KernelAttribute {
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
      throw KernelErrors.of("ERANGE", path, "Numerical result out of range", wanted + " > sriov_totalvfs " + total);
    }
    int current = Integer.parseInt(sysfs.attribute(pf, "sriov_numvfs"));
    if (wanted == current) {
      return;
    }
    if (sysfs.driverOf(pf).isEmpty()) {
      throw KernelErrors.of("ENOENT", path, "No such file or directory",
          "no driver bound to device; cannot configure SR-IOV");
    }
    if (wanted != 0 && current != 0) {
      throw KernelErrors.busy(path, current + " VFs already enabled. Disable before enabling " + wanted + " VFs");
    }
    if (wanted == 0) {
      disable(pf, current);
    } else {
      enable(pf, wanted);
    }
    sysfs.setAttribute(pf, "sriov_numvfs", Integer.toString(wanted));
  }

  private void enable(PciAddress pf, int count) {
    int offset = Integer.parseInt(sysfs.attribute(pf, "sriov_offset"));
    int stride = Integer.parseInt(sysfs.attribute(pf, "sriov_stride"));
    int vfDevice = sysfs.hexAttribute(pf, "sriov_vf_device");
    boolean autoprobe = "1".equals(sysfs.attribute(pf, "sriov_drivers_autoprobe"));
    HostPath pfDir = sysfs.deviceDir(pf);
    List<PciAddress> vfs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      PciAddress vf = PciAddress.of(pf.domain(), pf.routingId() + offset + i * stride);
      PciDeviceSpec spec = new PciDeviceSpec(vf, sysfs.hexAttribute(pf, "vendor"), vfDevice,
          sysfs.hexAttribute(pf, "subsystem_vendor"), sysfs.hexAttribute(pf, "subsystem_device"),
          sysfs.hexAttribute(pf, "class"));
      HostPath vfDir = sysfs.addDevice(spec, Optional.of(pf));
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

  private void disable(PciAddress pf, int count) {
    HostPath pfDir = sysfs.deviceDir(pf);
    for (int i = 0; i < count; i++) {
      HostPath link = pfDir.resolve("virtfn" + i);
      Optional<HostPath> vfDir = sysfs.tree().readLink(link);
      if (vfDir.isPresent()) {
        PciAddress vf = new PciAddress(vfDir.get().name());
        Optional<String> group = sysfs.hasDevice(vf) ? sysfs.iommuGroupOf(vf) : Optional.empty();
        if (sysfs.hasDevice(vf)) {
          sysfs.removeDevice(vf);
        }
        group.ifPresent(sysfs::removeIommuGroup);
      }
      sysfs.tree().delete(link);
    }
    // The VFs' link settings (MAC, VLAN, trust) die with them, as they do in the PF driver.
    sysfs.tree().delete(IpLinkModel.stateFile(pf));
  }

}
