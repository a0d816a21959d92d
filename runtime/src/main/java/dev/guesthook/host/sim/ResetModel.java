package dev.guesthook.host.sim;

import dev.guesthook.host.HostPath;
import dev.guesthook.host.PciResets;
import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A function's reset: {@code reset_method} (Linux 5.15+) lists the methods the kernel will try, in
 * order, and {@code reset} performs one (drivers/pci/pci-sysfs.c, drivers/pci/pci.c). Both files
 * exist only for a function that supports at least one method. Checked against the test bed's
 * kernel: an unknown or unsupported name is EINVAL and leaves the list as it was, a lone newline
 * disables every method, {@code default} probes them again, and a reset with none enabled is
 * ENOTTY.
 */
final class ResetModel implements KernelAttribute {
  static final List<String> METHODS = PciResets.METHODS;

  private final Sysfs sysfs;

  ResetModel(Sysfs sysfs) {
    this.sysfs = sysfs;
  }

  @Override
  public boolean handles(HostPath path) {
    return (path.name().equals("reset_method") || path.name().equals("reset"))
        && sysfs.tree().exists(path.parent().resolve("vendor"));
  }

  @Override
  public void store(HostPath path, String value) {
    PciAddress device = new PciAddress(path.parent().name());
    if (path.name().equals("reset")) {
      reset(path, device, value);
    } else {
      sysfs.enableResetMethods(device, chosen(path, device, value));
    }
  }

  /** reset_method_store: "" (sysfs_streq, so a newline too) disables, "default" probes again. */
  private List<String> chosen(HostPath path, PciAddress device, String value) {
    String trimmed = KernelErrors.oneLine(value);
    List<String> supported = supported(device);
    if (trimmed.isEmpty()) {
      return List.of();
    }
    if (trimmed.equals("default")) {
      return supported;
    }
    List<String> names = new ArrayList<>();
    for (String name : Arrays.stream(trimmed.split(" ")).map(String::strip).toList()) {
      if (name.isEmpty()) {
        continue;
      }
      if (!supported.contains(name)) {
        String why =
            METHODS.contains(name) ? "unsupported reset method '" : "invalid reset method '";
        throw KernelErrors.invalid(path, why + name + "'");
      }
      names.add(name);
    }
    if (names.size() > METHODS.size()) {
      throw KernelErrors.invalid(path, "too many reset methods");
    }
    return names;
  }

  /**
   * What a name written may be: the methods probed at enumeration, and device_specific for a device
   * vendor-reset knows once its module is loaded (its hook answers the kernel's probe of
   * pci_dev_specific_reset; the list shown at boot does not name it).
   */
  private List<String> supported(PciAddress device) {
    List<String> probed = sysfs.supportedResetMethods(device);
    boolean hooked =
        sysfs.tree().exists(PciResets.VENDOR_RESET_LOADED)
            && PciResets.vendorResetKnows(
                sysfs.hexAttribute(device, "vendor"), sysfs.hexAttribute(device, "device"));
    if (!hooked || probed.contains(PciResets.DEVICE_SPECIFIC)) {
      return probed;
    }
    List<String> with = new ArrayList<>(List.of(PciResets.DEVICE_SPECIFIC));
    with.addAll(probed);
    return with;
  }

  /**
   * reset_store: only 1 (kstrtoul), then pci_reset_function, ENOTTY when no method is left. A reset
   * saves and restores the device with its driver bound and its power state: nothing the model
   * keeps changes.
   */
  private void reset(HostPath path, PciAddress device, String value) {
    KernelErrors.number(path, value, "1", 1, 1);
    if (sysfs.enabledResetMethods(device).isEmpty()) {
      throw KernelErrors.of(
          "ENOTTY", path, "Inappropriate ioctl for device", "every reset method is disabled");
    }
  }
}
