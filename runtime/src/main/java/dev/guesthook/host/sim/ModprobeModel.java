package dev.guesthook.host.sim;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.DriverName;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code modprobe [-r] MODULE}: a module is loaded when {@code /sys/module/<name>} exists; one the
 * sandbox lists in {@code /.simulator/modules/<name>} (one driver per line, with the vendor/device
 * ids it claims) can be loaded, which registers its drivers; any other is "not found", exit 1.
 */
final class ModprobeModel {
  private static final HostPath MODULES = HostPath.of("sys", "module");
  private final Sysfs sysfs;

  ModprobeModel(Sysfs sysfs) {
    this.sysfs = sysfs;
  }

  CommandResult run(List<String> argv) {
    List<String> names =
        argv.subList(1, argv.size()).stream().filter(a -> !a.startsWith("-")).toList();
    boolean remove = argv.contains("-r");
    if (names.size() != 1) {
      return CommandResult.ran(1, "modprobe: ERROR: exactly one module name expected\n");
    }
    String module = names.get(0).replace('-', '_');
    if (!module.matches("[A-Za-z0-9_]+")) {
      return CommandResult.ran(1, "modprobe: FATAL: Module " + names.get(0) + " not found.\n");
    }
    boolean loaded = sysfs.tree().exists(MODULES.resolve(module));
    HostPath available = Sysfs.PRIVATE.resolve("modules", module);
    if (remove) {
      return loaded ? unload(module) : CommandResult.ran(0, "");
    }
    if (loaded) {
      return CommandResult.ran(0, "");
    }
    if (!sysfs.tree().exists(available)) {
      return CommandResult.ran(
          1,
          "modprobe: FATAL: Module "
              + module
              + " not found in directory /lib/modules/6.8.12-4-pve\n");
    }
    sysfs.tree().createDirectories(MODULES.resolve(module));
    listInProcModules(module, true);
    for (String line : Sysfs.lines(sysfs.tree().read(available))) {
      String[] f = line.trim().split("\\s+");
      DriverName driver = new DriverName(f[0]);
      sysfs.addDriver(driver, List.of());
      for (int i = 1; i + 1 < f.length; i += 2) {
        sysfs.addDriverId(driver, Integer.parseInt(f[i], 16), Integer.parseInt(f[i + 1], 16));
      }
    }
    // pci_register_driver -> driver_attach: the new driver takes the unbound devices it claims.
    for (var device : sysfs.devices()) {
      if (sysfs.driverOf(device).isEmpty()) {
        sysfs.probe(device);
      }
    }
    return CommandResult.ran(0, "");
  }

  /** Keeps /proc/modules (when the sandbox has one) in step with what is loaded. */
  private void listInProcModules(String module, boolean loaded) {
    HostPath modules = HostPath.of("proc", "modules");
    if (!sysfs.tree().exists(modules)) {
      return;
    }
    List<String> lines = new ArrayList<>(Sysfs.lines(sysfs.tree().read(modules)));
    lines.removeIf(line -> line.startsWith(module + " "));
    if (loaded) {
      lines.add(0, module + " 16384 0 - Live 0x0000000000000000");
    }
    sysfs.tree().write(modules, String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"));
  }

  private CommandResult unload(String module) {
    HostPath available = Sysfs.PRIVATE.resolve("modules", module);
    List<String> lines =
        sysfs.tree().exists(available) ? Sysfs.lines(sysfs.tree().read(available)) : List.of();
    for (String line : lines) {
      DriverName driver = new DriverName(line.trim().split("\\s+")[0]);
      if (sysfs.hasDriver(driver)
          && sysfs.devices().stream()
              .anyMatch(d -> sysfs.driverOf(d).equals(Optional.of(driver)))) {
        return CommandResult.ran(1, "modprobe: FATAL: Module " + module + " is in use.\n");
      }
    }
    for (String line : lines) {
      sysfs.tree().removeTree(SysfsPaths.driver(new DriverName(line.trim().split("\\s+")[0])));
    }
    sysfs.tree().removeTree(MODULES.resolve(module));
    listInProcModules(module, false);
    return CommandResult.ran(0, "");
  }
}
