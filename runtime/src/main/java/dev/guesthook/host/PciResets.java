package dev.guesthook.host;

import java.util.List;
import java.util.Set;

/**
 * What the kernel and vendor-reset call a PCI function's resets, as data: the kernel's method names
 * in its order of preference ({@code pci_reset_fn_methods}, drivers/pci/pci.c), and the devices the
 * vendor-reset module resets. One place for the device operations, {@code check} and the simulated
 * kernel.
 */
public final class PciResets {
  /** pci_reset_fn_methods, in the kernel's order of preference. */
  public static final List<String> METHODS =
      List.of("device_specific", "acpi", "flr", "af_flr", "pm", "bus", "cxl_bus");

  /** The method a device-specific reset (a kernel quirk, or vendor-reset's hook) runs under. */
  public static final String DEVICE_SPECIFIC = "device_specific";

  /** The vendor-reset module as {@code /sys/module} and {@code /proc/modules} name it. */
  public static final String VENDOR_RESET_MODULE = "vendor_reset";

  /** Where a loaded vendor-reset shows. */
  public static final HostPath VENDOR_RESET_LOADED =
      HostPath.of("sys", "module", VENDOR_RESET_MODULE);

  private static final int AMD = 0x1002;

  /**
   * The AMD device ids vendor-reset resets, from its device table (gnif/vendor-reset,
   * src/device-db.h: Polaris 10/11/12, Vega 10, Vega 20, Navi 10/12/14, Arcturus MI100). It hooks
   * the kernel's pci_dev_specific_reset (ftrace), so on Linux 5.15+ it resets a device only when
   * the device's reset_method names device_specific, which it does not by default: vendor-reset's
   * udev rule, or guesthook's reset order, writes it.
   */
  private static final Set<Integer> VENDOR_RESET_AMD_IDS =
      Set.of(
          // Polaris 10
          0x67c0,
          0x67c1,
          0x67c2,
          0x67c4,
          0x67c7,
          0x67d0,
          0x67df,
          0x67c8,
          0x67c9,
          0x67ca,
          0x67cc,
          0x67cf,
          0x6fdf,
          // Polaris 11
          0x67e0,
          0x67e3,
          0x67e8,
          0x67eb,
          0x67ef,
          0x67ff,
          0x67e1,
          0x67e7,
          0x67e9,
          // Polaris 12
          0x6980,
          0x6981,
          0x6985,
          0x6986,
          0x6987,
          0x6995,
          0x6997,
          0x699f,
          // Vega 10
          0x6860,
          0x6861,
          0x6862,
          0x6863,
          0x6864,
          0x6867,
          0x6868,
          0x6869,
          0x686a,
          0x686b,
          0x686c,
          0x686d,
          0x686e,
          0x686f,
          0x687f,
          // Vega 20
          0x66a0,
          0x66a1,
          0x66a2,
          0x66a3,
          0x66a4,
          0x66a7,
          0x66af,
          // Navi 10
          0x7310,
          0x7312,
          0x7318,
          0x7319,
          0x731a,
          0x731b,
          0x731e,
          0x731f,
          // Navi 14
          0x7340,
          0x7341,
          0x7347,
          0x734f,
          // Navi 12
          0x7360,
          0x7362,
          // Arcturus (Instinct MI100)
          0x738c);

  private PciResets() {}

  /** Whether vendor-reset has a reset for this vendor:device. */
  public static boolean vendorResetKnows(int vendor, int device) {
    return vendor == AMD && VENDOR_RESET_AMD_IDS.contains(device);
  }
}
