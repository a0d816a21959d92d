package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Assertions on a sandbox host as the kernel shows it: {@code
 * assertThat(root).hasMdev(uuid).ofType(t)}, {@code .vf("0000:03:02.1").boundTo("vfio-pci")},
 * {@code .numVfs(pf, 4)}. A failure says what is there.
 */
public final class HostAssert {
  private final Path root;

  private HostAssert(Path root) {
    this.root = root;
  }

  public static HostAssert assertThat(Path sandboxRoot) {
    return new HostAssert(sandboxRoot);
  }

  public MdevAssert hasMdev(String uuid) {
    Path link = root.resolve("sys/bus/mdev/devices/" + uuid);
    if (!Files.isSymbolicLink(link)) {
      fail("no mdev " + uuid + "; there are: " + list("sys/bus/mdev/devices"));
    }
    return new MdevAssert(link, uuid);
  }

  public HostAssert hasNoMdev(String uuid) {
    if (Files.exists(root.resolve("sys/bus/mdev/devices/" + uuid))) {
      fail("mdev " + uuid + " is still there");
    }
    return this;
  }

  public DeviceAssert device(String address) {
    Path dir = root.resolve("sys/bus/pci/devices/" + address);
    if (!Files.exists(dir)) {
      fail("no PCI device " + address);
    }
    return new DeviceAssert(dir, address);
  }

  /** A VF is a PCI device with a {@code physfn} link. */
  public DeviceAssert vf(String address) {
    DeviceAssert device = device(address);
    if (!Files.isSymbolicLink(root.resolve("sys/bus/pci/devices/" + address + "/physfn"))) {
      fail(address + " is not a VF (no physfn link)");
    }
    return device;
  }

  public HostAssert numVfs(String pf, int expected) {
    String actual = read(root.resolve("sys/bus/pci/devices/" + pf + "/sriov_numvfs"));
    if (!actual.equals(Integer.toString(expected))) {
      fail(pf + " has " + actual + " VFs, expected " + expected);
    }
    return this;
  }

  public final class MdevAssert {
    private final Path link;
    private final String uuid;

    MdevAssert(Path link, String uuid) {
      this.link = link;
      this.uuid = uuid;
    }

    public MdevAssert ofType(String type) {
      String actual = target(link.resolve("mdev_type"));
      if (!actual.equals(type)) {
        fail("mdev " + uuid + " is of type " + actual + ", expected " + type);
      }
      return this;
    }

    public MdevAssert onParent(String address) {
      try {
        String parent = link.toRealPath().getParent().getFileName().toString();
        if (!parent.equals(address)) {
          fail("mdev " + uuid + " is on " + parent + ", expected " + address);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    public HostAssert and() {
      return HostAssert.this;
    }
  }

  public final class DeviceAssert {
    private final Path dir;
    private final String address;

    DeviceAssert(Path dir, String address) {
      this.dir = dir;
      this.address = address;
    }

    public DeviceAssert boundTo(String driver) {
      String actual =
          Files.isSymbolicLink(dir.resolve("driver"))
              ? target(dir.resolve("driver"))
              : "(no driver)";
      if (!actual.equals(driver)) {
        fail(address + " is bound to " + actual + ", expected " + driver);
      }
      return this;
    }

    public DeviceAssert hasAttribute(String relative, String expected) {
      String actual = read(dir.resolve(relative));
      if (!actual.equals(expected)) {
        fail(address + "/" + relative + " is '" + actual + "', expected '" + expected + "'");
      }
      return this;
    }

    public HostAssert and() {
      return HostAssert.this;
    }
  }

  private String list(String relative) {
    try (var entries = Files.list(root.resolve(relative))) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList().toString();
    } catch (IOException e) {
      return "(none)";
    }
  }

  private static String target(Path link) {
    try {
      return Files.readSymbolicLink(link).getFileName().toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
