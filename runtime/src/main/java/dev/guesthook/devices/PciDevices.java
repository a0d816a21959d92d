package dev.guesthook.devices;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * PCI functions: what they are, and which driver has them. Binding goes the way driverctl does it:
 * {@code driver_override}, unbind from the current driver, {@code drivers_probe}; so a device can
 * be given to vfio-pci and back to its host driver without touching the drivers' id tables.
 */
public final class PciDevices {
  private static final Duration POLL = Duration.ofMillis(50);

  /** Vendor and device ids, command and status, revision and class. */
  private static final int HEADER_PREFIX = 12;

  private final HostPort host;
  private final Ledger ledger;

  public PciDevices(HostPort host) {
    this(host, Ledger.NONE);
  }

  PciDevices(HostPort host, Ledger ledger) {
    this.host = host;
    this.ledger = ledger;
  }

  public boolean exists(PciAddress address) {
    return host.exists(SysfsPaths.device(address));
  }

  public PciDevice info(PciAddress address) {
    requireExists(address);
    Optional<String> group =
        host.readLink(SysfsPaths.device(address, "iommu_group")).map(HostPath::name);
    List<PciAddress> members = new ArrayList<>();
    group.ifPresent(
        g ->
            host.list(SysfsPaths.IOMMU_GROUPS.resolve(g, "devices")).stream()
                .filter(name -> name.matches("[0-9a-f]{4}:.*"))
                .map(PciAddress::new)
                .forEach(members::add));
    return new PciDevice(
        address,
        hex(address, "vendor"),
        hex(address, "device"),
        hex(address, "subsystem_vendor"),
        hex(address, "subsystem_device"),
        hex(address, "class"),
        driver(address),
        group,
        members,
        host.readLink(SysfsPaths.device(address, "physfn"))
            .map(link -> new PciAddress(link.name())));
  }

  /**
   * Whether the function answers configuration reads. One that fell off the bus or hangs reads
   * all-ones, while sysfs's {@code vendor} and {@code device} keep the ids the kernel cached at
   * enumeration, so only {@code config} tells. A healthy VF reads vendor and device ffff too
   * (SR-IOV; seen on the test bed's kernel), so the revision and class dword counts as well. The
   * kernel wakes a runtime-suspended function for the read.
   */
  public boolean configAnswers(PciAddress address) {
    byte[] header = host.readBytes(SysfsPaths.device(address, "config"), HEADER_PREFIX);
    return header.length == HEADER_PREFIX && !(allOnes(header, 0, 4) && allOnes(header, 8, 12));
  }

  private static boolean allOnes(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] != (byte) 0xff) {
        return false;
      }
    }
    return true;
  }

  public Optional<DriverName> driver(PciAddress address) {
    return host.readLink(SysfsPaths.device(address, "driver"))
        .map(link -> new DriverName(link.name()));
  }

  /**
   * The driver the device is pinned to by {@code driver_override}; empty when none ({@code
   * (null)}).
   */
  public String driverOverride(PciAddress address) {
    String value = host.read(SysfsPaths.device(address, "driver_override")).trim();
    return value.equals("(null)") ? "" : value;
  }

  /**
   * Every function of a slot such as {@code 0000:01:00}, the form Proxmox uses for a multifunction
   * GPU.
   */
  public List<PciAddress> functions(String slot) {
    return host.list(SysfsPaths.PCI_DEVICES).stream()
        .filter(name -> name.startsWith(slot + "."))
        .map(PciAddress::new)
        .toList();
  }

  /**
   * Gives the device to {@code driver}: override, unbind, probe, and check that the driver took it.
   * Loads the driver's module first when it is not loaded. Nothing happens when it already has it.
   */
  public void bind(PciAddress address, DriverName driver) {
    requireExists(address);
    Optional<DriverName> current = driver(address);
    if (current.equals(Optional.of(driver))) {
      return;
    }
    loadModule(driver);
    // Under the device's lock, so no other process's writes to it interleave with these.
    ledger.locked(
        address,
        () -> {
          ledger.apply(
              new Change.DriverChanged(address, current), () -> rebind(address, driver, current));
          return null;
        });
  }

  private void rebind(PciAddress address, DriverName driver, Optional<DriverName> current) {
    String override = driverOverride(address);
    try {
      host.write(SysfsPaths.device(address, "driver_override"), driver.value());
      if (current.isPresent()) {
        host.write(SysfsPaths.driver(current.get()).resolve("unbind"), address.value());
      }
      host.write(SysfsPaths.DRIVERS_PROBE, address.value());
      if (!driver(address).equals(Optional.of(driver))) {
        throw new DeviceException(
            address
                + ": "
                + driver
                + " did not take the device after drivers_probe"
                + " (it has "
                + driver(address).map(DriverName::value).orElse("no driver")
                + ")");
      }
    } catch (RuntimeException failed) {
      putBack(address, override, current, failed);
      throw failed;
    }
  }

  /** After a failed bind: the override and driver the device had, so a failure changes nothing. */
  private void putBack(
      PciAddress address, String override, Optional<DriverName> previous, RuntimeException failed) {
    try {
      host.write(
          SysfsPaths.device(address, "driver_override"), override.isEmpty() ? "\n" : override);
      Optional<DriverName> now = driver(address);
      if (previous.isPresent() && !now.equals(previous)) {
        if (now.isPresent()) {
          host.write(SysfsPaths.driver(now.get()).resolve("unbind"), address.value());
        }
        host.write(SysfsPaths.driver(previous.get()).resolve("bind"), address.value());
      }
    } catch (RuntimeException alsoFailed) {
      failed.addSuppressed(alsoFailed);
    }
  }

  /**
   * Hands the device back to a host driver and clears the override, so the next start finds it as
   * boot did.
   */
  public void release(PciAddress address, DriverName hostDriver) {
    bind(address, hostDriver);
    host.write(SysfsPaths.device(address, "driver_override"), "\n");
  }

  /**
   * Puts a device back with the driver it had ({@code null}: none), e.g. in an undo step or at
   * post-stop.
   */
  public void restore(PciAddress address, DriverName previous) {
    if (previous != null) {
      release(address, previous);
    } else {
      unbind(address);
    }
  }

  /** Unbinds the device from its driver and clears the override; afterwards it has no driver. */
  public void unbind(PciAddress address) {
    Optional<DriverName> current = driver(address);
    if (current.isPresent()) {
      host.write(SysfsPaths.driver(current.get()).resolve("unbind"), address.value());
    }
    host.write(SysfsPaths.device(address, "driver_override"), "\n");
  }

  /** Waits until the device has {@code driver}, e.g. after a module load probes asynchronously. */
  public void waitForDriver(PciAddress address, DriverName driver, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!driver(address).equals(Optional.of(driver))) {
      if (System.nanoTime() > deadline) {
        throw new DeviceException(
            address
                + ": no "
                + driver
                + " after "
                + timeout.toMillis()
                + " ms (it has "
                + driver(address).map(DriverName::value).orElse("no driver")
                + ")");
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DeviceException(address + ": interrupted while waiting for " + driver);
      }
    }
  }

  void requireExists(PciAddress address) {
    if (!exists(address)) {
      throw new DeviceException("no PCI device " + address + " on this host");
    }
  }

  private void loadModule(DriverName driver) {
    if (host.exists(SysfsPaths.driver(driver))) {
      return;
    }
    CommandResult result = host.run(HostCommand.of("modprobe", driver.value()));
    if (!result.succeeded() && result.status() != CommandResult.Status.NOT_SIMULATED) {
      throw new DeviceException("modprobe " + driver + " failed: " + result.lastLine());
    }
  }

  private int hex(PciAddress address, String attribute) {
    return SysfsPaths.hex(host.read(SysfsPaths.device(address, attribute)));
  }
}
