package dev.guesthook.host.sim;

import dev.guesthook.host.HostPath;
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
  /** pci_reset_fn_methods, in the kernel's order of preference. */
  static final List<String> METHODS =
      List.of("device_specific", "acpi", "flr", "af_flr", "pm", "bus", "cxl_bus");

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
    List<String> supported = sysfs.supportedResetMethods(device);
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
