package dev.guesthook.testbed;

import static dev.guesthook.testbed.Scenarios.DRIVERS;
import static dev.guesthook.testbed.Scenarios.MDEVS;
import static dev.guesthook.testbed.Scenarios.NIC;
import static dev.guesthook.testbed.Scenarios.PF;
import static dev.guesthook.testbed.Scenarios.PROBE;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The test bed's devices as they boot, and how to put them back between scenarios without a reboot:
 * no mdevs, no VFs, no overrides, each function on its own driver. The snapshot is what a scenario
 * may change; a restore that does not reach it again fails the next scenario, not silently.
 */
final class Baseline {
  /** The functions scenarios rebind, with the driver each boots with. */
  static final Map<String, String> DRIVER_AT_BOOT =
      Map.of("0000:00:02.0", "gh_mdev", "0000:00:03.0", "e1000e", "0000:01:00.0", "igb");

  private Baseline() {}

  static void restore(HostPort host) {
    for (String uuid : listOrEmpty(host, MDEVS)) {
      quietly(() -> host.write(HostPath.parse(MDEVS + "/" + uuid + "/remove"), "1"));
    }
    quietly(() -> host.write(HostPath.parse(PF + "/sriov_numvfs"), "0"));
    quietly(() -> host.write(HostPath.parse(PF + "/sriov_drivers_autoprobe"), "1"));
    DRIVER_AT_BOOT.forEach((device, driver) -> rebind(host, device, driver));
    for (String device : List.of(NIC, PF)) {
      quietly(() -> host.write(HostPath.parse(device + "/reset_method"), "default"));
    }
  }

  private static void rebind(HostPort host, String device, String driver) {
    HostPath dir = HostPath.parse("/sys/bus/pci/devices/" + device);
    quietly(() -> host.write(dir.resolve("driver_override"), "\n"));
    Optional<String> current = driverOf(host, dir);
    if (current.isPresent() && !current.get().equals(driver)) {
      quietly(() -> host.write(HostPath.parse(DRIVERS + "/" + current.get() + "/unbind"), device));
    }
    if (!current.equals(Optional.of(driver))) {
      quietly(() -> host.write(HostPath.parse(PROBE), device));
    }
  }

  /** What the scenarios may change, as one comparable list. */
  static List<String> snapshot(HostPort host) {
    List<String> state = new ArrayList<>();
    DRIVER_AT_BOOT.keySet().stream()
        .sorted()
        .forEach(
            device -> {
              HostPath dir = HostPath.parse("/sys/bus/pci/devices/" + device);
              state.add(
                  device
                      + " driver "
                      + driverOf(host, dir).orElse("none")
                      + " override "
                      + host.read(dir.resolve("driver_override")).strip());
            });
    state.add("numvfs " + host.read(HostPath.parse(PF + "/sriov_numvfs")).strip());
    for (String device : List.of(NIC, PF)) {
      state.add("reset_method " + host.read(HostPath.parse(device + "/reset_method")).strip());
    }
    state.add("mdevs " + listOrEmpty(host, MDEVS));
    return state;
  }

  private static Optional<String> driverOf(HostPort host, HostPath device) {
    return host.readLink(device.resolve("driver")).map(HostPath::name);
  }

  private static List<String> listOrEmpty(HostPort host, String dir) {
    HostPath path = HostPath.parse(dir);
    return host.exists(path) ? host.list(path) : List.of();
  }

  /** Restoring tries every step: one that finds nothing to undo is not an error. */
  private static void quietly(Runnable step) {
    try {
      step.run();
    } catch (HostException ignored) {
      // The snapshot afterwards says whether the baseline was reached.
    }
  }
}
