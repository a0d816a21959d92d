package dev.guesthook.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What any Linux shows in sysfs, checked on a sandbox: each violation is a state no kernel could be
 * in, so a test that finds one measures the simulator, not guesthook. Checked: no half-written file
 * (an empty {@code driver_override}, a leftover temporary file); every mdev type's {@code
 * available_instances} agrees with the instances it has; every enabled VF count with the {@code
 * virtfnN}/{@code physfn} links; every driver link with its driver's link back.
 */
public final class SandboxInvariants {
  private final Path root;
  private final List<String> violations = new ArrayList<>();

  private SandboxInvariants(Path root) {
    this.root = root;
  }

  /** The violations found, each naming its path; empty for a state Linux could show. */
  public static List<String> of(Path root) {
    SandboxInvariants check = new SandboxInvariants(root);
    check.noHalfWrittenFiles();
    for (Path device : check.entries(root.resolve("sys/bus/pci/devices"))) {
      check.driverOverrideShown(device);
      check.driverLinkedBothWays(device);
      check.vfsMatchTheirCount(device);
      check.mdevTypesCountTheirInstances(device);
    }
    check.mdevBusListsLiveInstances();
    return List.copyOf(check.violations);
  }

  private void noHalfWrittenFiles() {
    try (Stream<Path> walk = Files.walk(root.resolve("sys"))) {
      walk.filter(p -> p.getFileName().toString().endsWith(".sim-new"))
          .forEach(p -> fail(p, "a temporary file the kernel never shows"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void driverOverrideShown(Path device) {
    if (read(device.resolve("driver_override")).isBlank()) {
      fail(device.resolve("driver_override"), "empty; the kernel shows (null) or a driver's name");
    }
  }

  private void driverLinkedBothWays(Path device) {
    Path driver = device.resolve("driver");
    if (Files.isSymbolicLink(driver)) {
      Path back = real(driver).resolve(device.getFileName().toString());
      if (!Files.isSymbolicLink(back) || !real(back).equals(real(device))) {
        fail(driver, "the driver does not list the device");
      }
    }
  }

  private void vfsMatchTheirCount(Path pf) {
    Path numvfs = pf.resolve("sriov_numvfs");
    if (!Files.exists(numvfs)) {
      return;
    }
    int count = number(numvfs);
    for (String name : names(pf)) {
      if (name.startsWith("virtfn") && Integer.parseInt(name.substring(6)) >= count) {
        fail(pf.resolve(name), "beyond sriov_numvfs " + count);
      }
    }
    for (int i = 0; i < count; i++) {
      Path vf = pf.resolve("virtfn" + i);
      if (!Files.isDirectory(vf)
          || !Files.isSymbolicLink(vf.resolve("physfn"))
          || !real(vf.resolve("physfn")).equals(real(pf))
          || !Files.isDirectory(
              root.resolve("sys/bus/pci/devices").resolve(real(vf).getFileName()))) {
        fail(vf, "sriov_numvfs is " + count + " but this VF is missing or half made");
      }
    }
    for (Path device : entries(root.resolve("sys/bus/pci/devices"))) {
      Path physfn = device.resolve("physfn");
      if (Files.isSymbolicLink(physfn)
          && real(physfn).equals(real(pf))
          && !listedAsVf(pf, count, device)) {
        fail(device, "a VF of " + pf.getFileName() + " that it does not count");
      }
    }
  }

  private boolean listedAsVf(Path pf, int count, Path vf) {
    for (int i = 0; i < count; i++) {
      Path link = pf.resolve("virtfn" + i);
      if (Files.exists(link) && real(link).equals(real(vf))) {
        return true;
      }
    }
    return false;
  }

  private void mdevTypesCountTheirInstances(Path parent) {
    Path types = parent.resolve("mdev_supported_types");
    Path declared = root.resolve(".simulator/mdev").resolve(parent.getFileName().toString());
    if (!Files.isDirectory(types)) {
      return;
    }
    Path pool = declared.resolve("pool");
    int free = Files.exists(pool) ? number(pool) : 0;
    for (String type : names(types)) {
      free -=
          number(declared.resolve("types/" + type + "/units"))
              * names(types.resolve(type + "/devices")).size();
    }
    for (String type : names(types)) {
      int units = number(declared.resolve("types/" + type + "/units"));
      int instances = names(types.resolve(type + "/devices")).size();
      int expected = Files.exists(pool) ? free / units : units - instances;
      int shown = number(types.resolve(type + "/available_instances"));
      if (shown != expected) {
        fail(
            types.resolve(type + "/available_instances"),
            "shows " + shown + " with " + instances + " instances; the driver shows " + expected);
      }
      for (String uuid : names(types.resolve(type + "/devices"))) {
        Path instance = types.resolve(type + "/devices/" + uuid);
        if (!Files.isDirectory(instance)
            || !Files.isSymbolicLink(root.resolve("sys/bus/mdev/devices").resolve(uuid))) {
          fail(instance, "an instance the mdev bus does not list, or whose directory is gone");
        }
      }
    }
  }

  private void mdevBusListsLiveInstances() {
    for (Path instance : entries(root.resolve("sys/bus/mdev/devices"))) {
      Path type = instance.resolve("mdev_type");
      if (!Files.isDirectory(instance)
          || !Files.isSymbolicLink(type)
          || !Files.isSymbolicLink(real(type).resolve("devices").resolve(instance.getFileName()))
          || !Files.isSymbolicLink(instance.resolve("iommu_group"))
          || !Files.isSymbolicLink(instance.resolve("driver"))
          || !Files.exists(instance.resolve("remove"))) {
        fail(instance, "an mdev the bus lists that is half made or half removed");
      }
    }
  }

  private List<Path> entries(Path directory) {
    return names(directory).stream().map(directory::resolve).toList();
  }

  private static List<String> names(Path directory) {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(directory)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "";
    }
  }

  private int number(Path file) {
    String text = read(file).trim();
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      fail(file, "not a number: '" + text + "'");
      return 0;
    }
  }

  private static Path real(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }

  private void fail(Path path, String what) {
    violations.add(root.relativize(path) + ": " + what);
  }
}
