package dev.guesthook.id;

import java.util.regex.Pattern;

/** A kernel driver name as it appears under {@code /sys/bus/pci/drivers}, e.g. {@code vfio-pci}. */
public record DriverName(String value) {
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_.-]+");
  public static final DriverName VFIO_PCI = new DriverName("vfio-pci");

  public DriverName {
    Ids.require(FORM, value, "driver name", "a driver name like vfio-pci or amdgpu");
  }

  @Override
  public String toString() {
    return value;
  }
}
