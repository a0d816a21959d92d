package dev.guesthook.host.sim;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Probes that answer late ({@link Faults#probeLate}): the kernel's deferred-probe list, kept in the
 * sandbox ({@code /.simulator/deferred-probes}: address, driver, due time in epoch milliseconds) so
 * that a process reading the device later sees the driver arrive. A due probe binds only a device
 * that is still free and still matches the driver, as a deferred retry does (it skips a device that
 * got another driver meanwhile, and driver_override decides the match).
 */
final class DeferredProbes {
  static final HostPath FILE = Sysfs.PRIVATE.resolve("deferred-probes");

  private final Sysfs sysfs;

  DeferredProbes(Sysfs sysfs) {
    this.sysfs = sysfs;
  }

  void defer(PciAddress device, DriverName driver, long dueMillis) {
    List<String> lines = pending();
    lines.add(device.value() + " " + driver.value() + " " + dueMillis);
    save(lines);
  }

  /** Cheap, without the kernel's lock: whether anything is waiting at all. */
  boolean any() {
    return sysfs.tree().exists(FILE);
  }

  /** Makes every probe due by {@code nowMillis}; the others keep waiting. */
  void settle(long nowMillis) {
    List<String> waiting = new ArrayList<>();
    for (String line : pending()) {
      String[] f = line.split(" ");
      if (Long.parseLong(f[2]) > nowMillis) {
        waiting.add(line);
      } else {
        bindIfFree(new PciAddress(f[0]), new DriverName(f[1]));
      }
    }
    save(waiting);
  }

  private void bindIfFree(PciAddress device, DriverName driver) {
    if (sysfs.hasDevice(device) && sysfs.probeCandidate(device).equals(Optional.of(driver))) {
      sysfs.bind(device, driver);
    }
  }

  private List<String> pending() {
    return any() ? Sysfs.lines(sysfs.tree().read(FILE)) : new ArrayList<>();
  }

  private void save(List<String> lines) {
    if (lines.isEmpty()) {
      if (any()) {
        sysfs.tree().delete(FILE);
      }
      return;
    }
    sysfs.tree().createDirectories(FILE.parent());
    sysfs.tree().write(FILE, String.join("\n", lines) + "\n");
  }
}
