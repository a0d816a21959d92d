package dev.guesthook.id;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A PCI function address in the kernel's form, {@code 0000:01:00.0}. The short form Proxmox accepts
 * ({@code 01:00.0}) is normalised to domain 0000, as qemu-server's {@code normalize_pci_id} does.
 */
public record PciAddress(String value) implements Comparable<PciAddress> {
  private static final Pattern FORM =
      Pattern.compile("[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
  private static final Pattern SHORT_FORM = Pattern.compile("[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]");
  private static final String EXPECTED = "a PCI address like 0000:01:00.0 or 01:00.0";

  public PciAddress {
    Ids.require(FORM, value, "PCI address", EXPECTED);
  }

  /** Whether {@code text} is an address in the kernel's own form (as sysfs names functions). */
  public static boolean isValid(String text) {
    return text != null && FORM.matcher(text).matches();
  }

  public static PciAddress parse(String text) {
    String lower = text == null ? null : text.toLowerCase(Locale.ROOT);
    if (lower != null && SHORT_FORM.matcher(lower).matches()) {
      return new PciAddress("0000:" + lower);
    }
    return new PciAddress(Ids.require(FORM, lower, "PCI address", EXPECTED));
  }

  /** The address a sysfs entry is named by, if it is one (the kernel names in the full form). */
  public static Optional<PciAddress> ofName(String name) {
    return FORM.matcher(name).matches() ? Optional.of(new PciAddress(name)) : Optional.empty();
  }

  /** The address of function {@code fn} of the same slot. */
  public PciAddress function(int fn) {
    return new PciAddress(slot() + "." + fn);
  }

  public int function() {
    return value.charAt(value.length() - 1) - '0';
  }

  /** Domain, bus and device: {@code 0000:01:00}, the form Proxmox uses for "all functions". */
  public String slot() {
    return value.substring(0, value.length() - 2);
  }

  public String domain() {
    return value.substring(0, 4);
  }

  /**
   * Bus, device and function as the 16-bit routing id SR-IOV offsets and strides are counted in.
   */
  public int routingId() {
    int bus = Integer.parseInt(value.substring(5, 7), 16);
    int device = Integer.parseInt(value.substring(8, 10), 16);
    return bus << 8 | device << 3 | function();
  }

  public static PciAddress of(String domain, int routingId) {
    return new PciAddress(
        String.format(
            "%s:%02x:%02x.%d",
            domain, routingId >> 8 & 0xff, routingId >> 3 & 0x1f, routingId & 0x7));
  }

  @Override
  public int compareTo(PciAddress other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
