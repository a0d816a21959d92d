package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions on a sandbox host as the kernel shows it: {@code
 * assertThat(root).hasMdev(uuid).ofType(t)}, {@code .vf("0000:03:02.1").boundTo("vfio-pci")},
 * {@code .numVfs(pf, 4)}, any file by its host path ({@link #file}), and what changed since a
 * {@link HostSnapshot} ({@link #unchangedSince}, {@link #changedSince}). A failure is an {@link
 * AssertionFailedError} that says what is there. Devices are named by PCI address and mdevs by
 * UUID, attributes by a path inside the device's folder, and every read stays in the sandbox:
 * anything else is refused with an {@link IllegalArgumentException}.
 */
public final class HostAssert {
  private final Path root;

  private HostAssert(Path root) {
    this.root = root;
  }

  /**
   * Assertions on the sandbox host at {@code sandboxRoot} (as made by {@code Sandbox.create}). A
   * root given as a link is the sandbox it leads to, as for {@link HostSnapshot#of}.
   *
   * @param sandboxRoot the sandbox's folder
   * @return assertions on that host
   * @throws IllegalArgumentException when there is nothing at {@code sandboxRoot}
   */
  public static HostAssert assertThat(Path sandboxRoot) {
    return new HostAssert(HostPaths.realRoot(sandboxRoot));
  }

  /**
   * Assertions on any file of the host, by its host path as a hook writes it: {@code
   * file("/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor").hasContent("performance")}.
   *
   * @param hostPath an absolute host path, e.g. {@code /sys/...}
   * @return assertions on that file
   * @throws IllegalArgumentException for a relative path or one with {@code ..}
   */
  public FileAssert file(String hostPath) {
    return new FileAssert(this, root, hostPath);
  }

  /**
   * Nothing on the host changed since {@code before} was taken, as {@link HostSnapshot} counts
   * changes: guesthook's hook cache, recordings and locks are left out, but its journal ({@code
   * /var/lib/guesthook/journal}, which a device hook's pre-start writes) counts as a change, and so
   * does the guest's settings file that {@link Lifecycle#settings} writes when the lifecycle runs:
   * allow them with {@code changedSince(before).only(settingsFile, ...)} instead. Under {@code
   * /sys}, one trailing newline is not a change (a real kernel reads an attribute back with it).
   *
   * @param before a snapshot of this sandbox taken earlier
   * @return this host assertion, to chain more
   * @throws AssertionFailedError listing every change, one line each
   */
  public HostAssert unchangedSince(HostSnapshot before) {
    List<String> changes = before.changesTo(HostSnapshot.of(root));
    if (!changes.isEmpty()) {
      throw new AssertionFailedError(
          "the host changed since the snapshot:\n" + String.join("\n", changes));
    }
    return this;
  }

  /**
   * The changes since {@code before}, to limit with {@link ChangeAssert#only}: {@code
   * changedSince(before).only("/sys/bus/pci/devices/0000:41:00.4/**")}. Changes are counted as for
   * {@link #unchangedSince}: guesthook's journal ({@code /var/lib/guesthook/journal/**}) and the
   * settings file {@link Lifecycle#settings} writes ({@code /etc/pve/guesthook/<vmid>.yaml}) are
   * changes, to allow here when the test expects them.
   *
   * @param before a snapshot of this sandbox taken earlier
   * @return assertions on the changes since then
   */
  public ChangeAssert changedSince(HostSnapshot before) {
    return new ChangeAssert(before, HostSnapshot.of(root));
  }

  /**
   * Assertions on a VM's mdev, by UUID: {@code hasMdev(uuid).ofType("nvidia-222").onParent(pf)}.
   *
   * @param uuid the mdev's UUID
   * @return assertions on that mdev
   * @throws AssertionFailedError listing the mdevs there are when it is missing
   * @throws IllegalArgumentException when {@code uuid} is not a UUID
   */
  public MdevAssert hasMdev(String uuid) {
    Uuid.parse(uuid);
    Path link = root.resolve("sys/bus/mdev/devices/" + uuid);
    if (!Files.isSymbolicLink(link)) {
      fail("no mdev " + uuid + "; there are: " + list("sys/bus/mdev/devices"));
    }
    return new MdevAssert(link, uuid);
  }

  /**
   * No mdev with this UUID exists.
   *
   * @param uuid the mdev's UUID
   * @return this host assertion, to chain more
   * @throws AssertionFailedError when it is still there
   * @throws IllegalArgumentException when {@code uuid} is not a UUID
   */
  public HostAssert hasNoMdev(String uuid) {
    Uuid.parse(uuid);
    if (Files.exists(root.resolve("sys/bus/mdev/devices/" + uuid))) {
      fail("mdev " + uuid + " is still there");
    }
    return this;
  }

  /**
   * Assertions on a PCI device, by address: {@code device("0000:03:00.0").boundTo("vfio-pci")}.
   *
   * @param address the PCI address, {@code 0000:03:00.0}
   * @return assertions on that device
   * @throws AssertionFailedError when there is no such device
   * @throws IllegalArgumentException when {@code address} is not a PCI address
   */
  public DeviceAssert device(String address) {
    PciAddress.parse(address);
    Path dir = root.resolve("sys/bus/pci/devices/" + address);
    if (!Files.exists(dir)) {
      fail("no PCI device " + address);
    }
    return new DeviceAssert(dir, address);
  }

  /**
   * Assertions on a VF: a PCI device with a {@code physfn} link.
   *
   * @param address the VF's PCI address
   * @return assertions on that device
   * @throws AssertionFailedError when there is no such device, or it is not a VF
   * @throws IllegalArgumentException when {@code address} is not a PCI address
   */
  public DeviceAssert vf(String address) {
    DeviceAssert device = device(address);
    if (!Files.isSymbolicLink(root.resolve("sys/bus/pci/devices/" + address + "/physfn"))) {
      fail(address + " is not a VF (no physfn link)");
    }
    return device;
  }

  /**
   * The PF {@code pf} has {@code expected} VFs enabled ({@code sriov_numvfs}).
   *
   * @param pf the PF's PCI address
   * @param expected how many VFs it should have
   * @return this host assertion, to chain more
   * @throws AssertionFailedError saying how many it has
   * @throws IllegalArgumentException when {@code pf} is not a PCI address
   */
  public HostAssert numVfs(String pf, int expected) {
    PciAddress.parse(pf);
    String actual =
        read(root.resolve("sys/bus/pci/devices/" + pf + "/sriov_numvfs"), pf + "/sriov_numvfs");
    if (!actual.equals(Integer.toString(expected))) {
      fail(pf + " has " + actual + " VFs, expected " + expected);
    }
    return this;
  }

  /** Assertions on one mdev; {@link #and()} returns to the host. */
  public final class MdevAssert {
    private final Path link;
    private final String uuid;

    MdevAssert(Path link, String uuid) {
      this.link = link;
      this.uuid = uuid;
    }

    /**
     * The mdev is of {@code type} ({@code nvidia-222}, {@code i915-GVTg_V5_4}).
     *
     * @param type the mdev type's name
     * @return this assertion, to chain more
     * @throws AssertionFailedError saying its type
     */
    public MdevAssert ofType(String type) {
      String actual = target(link.resolve("mdev_type"));
      if (!actual.equals(type)) {
        fail("mdev " + uuid + " is of type " + actual + ", expected " + type);
      }
      return this;
    }

    /**
     * The mdev was created on the parent device {@code address}.
     *
     * @param address the parent device's PCI address
     * @return this assertion, to chain more
     * @throws AssertionFailedError saying its parent
     */
    public MdevAssert onParent(String address) {
      try {
        Path real = link.toRealPath();
        if (!real.startsWith(root)) {
          fail("mdev " + uuid + " leads out of the sandbox");
        }
        String parent = real.getParent().getFileName().toString();
        if (!parent.equals(address)) {
          fail("mdev " + uuid + " is on " + parent + ", expected " + address);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    /**
     * Back to the host, to assert more.
     *
     * @return the host assertion this one came from
     */
    public HostAssert and() {
      return HostAssert.this;
    }
  }

  /** Assertions on one PCI device; {@link #and()} returns to the host. */
  public final class DeviceAssert {
    private final Path dir;
    private final String address;

    DeviceAssert(Path dir, String address) {
      this.dir = dir;
      this.address = address;
    }

    /**
     * The device is bound to {@code driver} ({@code vfio-pci}, {@code nvidia}).
     *
     * @param driver the driver's name
     * @return this assertion, to chain more
     * @throws AssertionFailedError saying its driver, or {@code (no driver)}
     */
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

    /**
     * The device's attribute at {@code relative} (e.g. {@code nvidia/vgpu_params}) reads {@code
     * expected}, surrounding whitespace ignored. It is read as {@link #file} reads: a regular file
     * in the sandbox only.
     *
     * @param relative the attribute's path in the device's folder
     * @param expected what it should read
     * @return this assertion, to chain more
     * @throws AssertionFailedError saying what it reads
     * @throws IllegalArgumentException for an absolute path or one with {@code .} or {@code ..}
     */
    public DeviceAssert hasAttribute(String relative, String expected) {
      String actual = read(dir.resolve(HostPaths.relative(relative)), address + "/" + relative);
      if (!actual.equals(expected)) {
        fail(address + "/" + relative + " is '" + actual + "', expected '" + expected + "'");
      }
      return this;
    }

    /**
     * Back to the host, to assert more.
     *
     * @return the host assertion this one came from
     */
    public HostAssert and() {
      return HostAssert.this;
    }
  }

  /** The changes since a snapshot, to assert which paths they may touch. */
  public static final class ChangeAssert {
    private final HostSnapshot before;
    private final HostSnapshot after;

    ChangeAssert(HostSnapshot before, HostSnapshot after) {
      this.before = before;
      this.after = after;
    }

    /**
     * Every change is at a path matching one of {@code globs} ({@code *} within a name, {@code **}
     * across names), host paths as a hook writes them: {@code
     * only("/sys/bus/pci/devices/0000:41:00.4/**")}. A glob's leading folders are followed through
     * the sandbox's links, so a device's {@code /sys/bus/pci/devices/<address>/**} also covers its
     * real folder under {@code /sys/devices}.
     *
     * @param globs host path globs the changes may touch
     * @return this assertion, to chain more
     * @throws AssertionFailedError listing every change outside the globs
     */
    public ChangeAssert only(String... globs) {
      List<Pattern> allowed = HostPaths.globsFollowingLinks(after.root(), globs);
      List<String> outside =
          before.changes(after).stream()
              .filter(c -> allowed.stream().noneMatch(g -> g.matcher(c.path()).matches()))
              .map(HostSnapshot.Change::line)
              .toList();
      if (!outside.isEmpty()) {
        throw new AssertionFailedError(
            "the host changed outside "
                + Arrays.toString(globs)
                + ":\n"
                + String.join("\n", outside));
      }
      return this;
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

  /** A device's attribute, read as {@link #file} reads, surrounding whitespace ignored. */
  private String read(Path file, String shown) {
    if (!Files.exists(file)) {
      fail("no " + shown);
    }
    try {
      return HostPaths.content(root, file, shown).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
