package dev.guesthook.devices;

import dev.guesthook.host.PciResets;
import java.util.List;

/**
 * How a PCI function can be reset, as sysfs shows it.
 *
 * @param resettable the kernel found a method it can use (the {@code reset} file is there)
 * @param orderable the kernel has {@code reset_method} (Linux 5.15+), so the order can be chosen
 * @param enabled what {@code reset_method} lists now, in its order (empty when not orderable)
 * @param offered what may be written to {@code reset_method}: the enabled methods, and {@code
 *     device_specific} when vendor-reset is loaded and knows the device, in the kernel's order
 * @param vendorResetKnows vendor-reset's device table names the device
 * @param vendorResetLoaded the vendor_reset module is loaded
 */
public record ResetMethods(
    boolean resettable,
    boolean orderable,
    List<String> enabled,
    List<String> offered,
    boolean vendorResetKnows,
    boolean vendorResetLoaded) {

  /** The methods offered, as reset_method writes them; "none" for none. */
  public String offeredText() {
    return offered.isEmpty() ? "none" : String.join(" ", offered);
  }

  /** The kernel's names, for settings that name methods. */
  public static List<String> kernelNames() {
    return PciResets.METHODS;
  }
}
