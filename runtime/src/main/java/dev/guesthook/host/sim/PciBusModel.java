package dev.guesthook.host.sim;

import static dev.guesthook.host.SysfsPaths.DRIVERS_PROBE;
import static dev.guesthook.host.SysfsPaths.PCI_DRIVERS;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import java.util.Optional;

/**
 * Driver binding on the PCI bus: {@code driver_override}, a driver's {@code bind}, {@code unbind},
 * {@code new_id} and {@code remove_id}, and the bus's {@code drivers_probe}, with the kernel's
 * answers (drivers/base/bus.c, drivers/pci/pci-driver.c, drivers/pci/pci-sysfs.c). An unbind also
 * does what the driver's remove does to what it made ({@link Sysfs#unbind}).
 */
final class PciBusModel implements KernelAttribute {
  private static final int PAGE_SIZE = 4096;
  private final Sysfs sysfs;
  private final Faults faults;
  private final DeferredProbes deferred;

  PciBusModel(Sysfs sysfs, Faults faults, DeferredProbes deferred) {
    this.sysfs = sysfs;
    this.faults = faults;
    this.deferred = deferred;
  }

  @Override
  public boolean handles(HostPath path) {
    return path.equals(DRIVERS_PROBE)
        || isDriverAttribute(path)
        || (path.name().equals("driver_override")
            && sysfs.tree().exists(path.parent().resolve("vendor")));
  }

  @Override
  public void store(HostPath path, String value) {
    if (path.equals(DRIVERS_PROBE)) {
      PciAddress address = device(path, value);
      sysfs.probeCandidate(address).ifPresent(driver -> attach(path, address, driver, false));
    } else if (path.name().equals("driver_override")) {
      storeOverride(path, value);
    } else {
      DriverName driver = new DriverName(path.parent().name());
      switch (path.name()) {
        case "bind" -> bind(path, driver, device(path, value));
        case "unbind" -> unbind(path, driver, device(path, value));
        case "new_id" -> newId(path, driver, value);
        default -> removeId(path, driver, value);
      }
    }
  }

  /**
   * driver_set_override (drivers/base/driver.c): at most a page less the newline it shows; the name
   * ends at the first NUL or newline, and nothing before it ("\n") clears the override. A 0-byte
   * write never gets here (see {@link SimulatedHost#write}): it leaves the override as it was.
   */
  private void storeOverride(HostPath path, String value) {
    if (value.length() >= PAGE_SIZE - 1) {
      throw KernelErrors.invalid(path, "longer than a page");
    }
    String name = value.split("[\0\n]", 2)[0];
    sysfs.tree().write(path, (name.isEmpty() ? "(null)" : name) + "\n");
  }

  private void bind(HostPath path, DriverName driver, PciAddress address) {
    if (!matches(driver, address)) {
      throw KernelErrors.noDevice(path, driver + " does not match " + address);
    }
    if (sysfs.driverOf(address).isPresent()) {
      throw KernelErrors.busy(path, address + " is bound to " + sysfs.driverOf(address).get());
    }
    attach(path, address, driver, true);
  }

  /**
   * The driver's probe, with its faults: one that fails leaves the device free (an error only
   * through {@code bind}: drivers_probe swallows it); one that answers late binds later
   * (EPROBE_DEFER, which {@code bind} reports as EAGAIN).
   */
  private void attach(HostPath path, PciAddress address, DriverName driver, boolean viaBind) {
    if (faults.probeRefused(address, driver)) {
      if (viaBind) {
        throw KernelErrors.of(
            "EIO", path, "Input/output error", driver + "'s probe of " + address + " failed");
      }
      return;
    }
    Optional<Integer> delay = faults.probeDelay(address, driver);
    if (delay.isPresent()) {
      deferred.defer(address, driver, System.currentTimeMillis() + delay.get());
      if (viaBind) {
        throw KernelErrors.of(
            "EAGAIN",
            path,
            "Resource temporarily unavailable",
            driver + " deferred its probe of " + address);
      }
      return;
    }
    sysfs.bind(address, driver);
  }

  private void unbind(HostPath path, DriverName driver, PciAddress address) {
    if (!sysfs.driverOf(address).equals(Optional.of(driver))) {
      throw KernelErrors.noDevice(path, address + " is not bound to " + driver);
    }
    sysfs.unbind(address);
  }

  /** {@code new_id} adds a dynamic id and probes every unbound device it now matches. */
  private void newId(HostPath path, DriverName driver, String value) {
    int[] id = parseId(path, value);
    if (!sysfs.claims(driver, id[0], id[1])) {
      sysfs.addDriverId(driver, id[0], id[1]);
    } else {
      throw KernelErrors.of("EEXIST", path, "File exists", "id already known");
    }
    for (PciAddress address : sysfs.devices()) {
      if (sysfs.driverOf(address).isEmpty() && matches(driver, address)) {
        sysfs.bind(address, driver);
      }
    }
  }

  private void removeId(HostPath path, DriverName driver, String value) {
    int[] id = parseId(path, value);
    if (!sysfs.removeDriverId(driver, id[0], id[1])) {
      throw KernelErrors.noDevice(path, "no such dynamic id");
    }
  }

  /** pci_match_device: an override names the one driver allowed; otherwise the id tables decide. */
  private boolean matches(DriverName driver, PciAddress address) {
    return sysfs
        .driverOverride(address)
        .map(driver::equals)
        .orElseGet(() -> sysfs.claims(driver, address));
  }

  private PciAddress device(HostPath path, String value) {
    String name = KernelErrors.oneLine(value);
    try {
      PciAddress address = new PciAddress(name);
      if (sysfs.hasDevice(address)) {
        return address;
      }
    } catch (IllegalArgumentException notAnAddress) {
      // bus_find_device_by_name finds nothing either.
    }
    throw KernelErrors.noDevice(path, "no device '" + Printable.of(name) + "'");
  }

  private static int[] parseId(HostPath path, String value) {
    String[] fields = KernelErrors.oneLine(value).trim().split("\\s+");
    try {
      return new int[] {Integer.parseInt(fields[0], 16), Integer.parseInt(fields[1], 16)};
    } catch (RuntimeException e) {
      throw KernelErrors.invalid(path, "expected 'vendor device' in hex");
    }
  }

  private static boolean isDriverAttribute(HostPath path) {
    String name = path.name();
    return path.parent().parent().equals(PCI_DRIVERS)
        && (name.equals("bind")
            || name.equals("unbind")
            || name.equals("new_id")
            || name.equals("remove_id"));
  }
}
