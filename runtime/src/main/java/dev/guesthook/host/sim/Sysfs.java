package dev.guesthook.host.sim;

import static dev.guesthook.host.SysfsPaths.IOMMU_GROUPS;
import static dev.guesthook.host.SysfsPaths.PCI_DEVICES;
import static dev.guesthook.host.SysfsPaths.PCI_DRIVERS;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.SandboxMarker;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.host.tree.MutableTree;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The kernel's bookkeeping of PCI devices, drivers and IOMMU groups, done on a tree laid out like
 * sysfs: device directories under {@code /sys/devices/pci<domain>:00}, reached through links from
 * {@code /sys/bus/pci/devices}, {@code driver} and {@code iommu_group} links both ways. The sandbox
 * builds hosts with it and the kernel models reshape them with it, so both agree on the layout.
 * Binding and unbinding do what the drivers' probe and remove do to what they own: a PF's VFs go
 * with its driver, an mdev parent's instances and types go with its driver and its types come back
 * with it ({@link MdevParents}).
 */
public final class Sysfs {
  /**
   * The simulator's own notes (driver id tables, loadable modules, netlink state, NVIDIA profiles,
   * mdev parents' types and pools, faults).
   */
  public static final HostPath PRIVATE = SandboxMarker.SIMULATOR_FOLDER;

  private final MutableTree tree;
  private final MdevParents mdevParents;

  public Sysfs(MutableTree tree) {
    this.tree = tree;
    this.mdevParents = new MdevParents(this);
  }

  public MutableTree tree() {
    return tree;
  }

  /** The mdev parents' types and pools, which come and go with their drivers. */
  public MdevParents mdevParents() {
    return mdevParents;
  }

  // --- devices ---------------------------------------------------------------------------------

  public boolean hasDevice(PciAddress address) {
    return tree.exists(PCI_DEVICES.resolve(address.value()));
  }

  /** The device's own directory, where its attributes and links live. */
  public HostPath deviceDir(PciAddress address) {
    return tree.readLink(PCI_DEVICES.resolve(address.value()))
        .orElseThrow(() -> new HostException("ENODEV", "no PCI device " + address));
  }

  /**
   * Adds a function the way hotplug or boot-time enumeration would, next to {@code sibling} if
   * given.
   */
  public HostPath addDevice(PciDeviceSpec spec, Optional<PciAddress> sibling) {
    HostPath parent =
        sibling
            .map(s -> deviceDir(s).parent())
            .orElse(HostPath.of("sys", "devices", "pci" + spec.address().domain() + ":00"));
    tree.createDirectories(parent);
    HostPath dir = parent.resolve(spec.address().value());
    tree.makeDirectory(dir);
    tree.write(dir.resolve("vendor"), hex(spec.vendor(), 4));
    tree.write(dir.resolve("device"), hex(spec.device(), 4));
    tree.write(dir.resolve("subsystem_vendor"), hex(spec.subsystemVendor(), 4));
    tree.write(dir.resolve("subsystem_device"), hex(spec.subsystemDevice(), 4));
    tree.write(dir.resolve("class"), hex(spec.classCode(), 6));
    tree.write(dir.resolve("driver_override"), "(null)\n");
    tree.write(dir.resolve("power_state"), "unknown\n");
    tree.createDirectories(PCI_DEVICES);
    tree.link(PCI_DEVICES.resolve(spec.address().value()), dir);
    return dir;
  }

  /** Hot-unplug: the device, its links and its group membership disappear. */
  public void removeDevice(PciAddress address) {
    HostPath dir = deviceDir(address);
    driverOf(address).ifPresent(driver -> unbind(address));
    iommuGroupOf(address)
        .ifPresent(group -> tree.delete(IOMMU_GROUPS.resolve(group, "devices", address.value())));
    tree.removeTree(dir);
    tree.delete(PCI_DEVICES.resolve(address.value()));
    tree.delete(PRIVATE.resolve("reset-methods", address.value()));
  }

  public List<PciAddress> devices() {
    if (!tree.exists(PCI_DEVICES)) {
      return List.of();
    }
    return tree.list(PCI_DEVICES).stream().map(PciAddress::new).toList();
  }

  public String attribute(PciAddress address, String name) {
    return tree.read(deviceDir(address).resolve(name)).trim();
  }

  public int hexAttribute(PciAddress address, String name) {
    return SysfsPaths.hex(attribute(address, name));
  }

  public void setAttribute(PciAddress address, String name, String value) {
    tree.write(deviceDir(address).resolve(name), value + "\n");
  }

  // --- drivers ---------------------------------------------------------------------------------

  /** Registers a driver (its module is loaded) and the vendor/device pairs it claims. */
  public void addDriver(DriverName driver, List<int[]> ids) {
    HostPath dir = PCI_DRIVERS.resolve(driver.value());
    tree.createDirectories(dir);
    for (String attr : List.of("bind", "unbind", "new_id", "remove_id")) {
      tree.write(dir.resolve(attr), "");
    }
    for (int[] id : ids) {
      addDriverId(driver, id[0], id[1]);
    }
  }

  public boolean hasDriver(DriverName driver) {
    return tree.exists(PCI_DRIVERS.resolve(driver.value()));
  }

  public void addDriverId(DriverName driver, int vendor, int device) {
    Set<String> ids = driverIds(driver);
    ids.add(idPair(vendor, device));
    writeDriverIds(driver, ids);
  }

  public boolean removeDriverId(DriverName driver, int vendor, int device) {
    Set<String> ids = driverIds(driver);
    boolean removed = ids.remove(idPair(vendor, device));
    writeDriverIds(driver, ids);
    return removed;
  }

  public boolean claims(DriverName driver, PciAddress address) {
    return claims(driver, hexAttribute(address, "vendor"), hexAttribute(address, "device"));
  }

  public boolean claims(DriverName driver, int vendor, int device) {
    return driverIds(driver).contains(idPair(vendor, device));
  }

  public Optional<DriverName> driverOf(PciAddress address) {
    return tree.readLink(deviceDir(address).resolve("driver"))
        .map(link -> new DriverName(link.name()));
  }

  /** Binds the device; the driver's probe registers what it offers (an mdev parent's types). */
  public void bind(PciAddress address, DriverName driver) {
    HostPath dir = deviceDir(address);
    tree.link(dir.resolve("driver"), PCI_DRIVERS.resolve(driver.value()));
    tree.link(PCI_DRIVERS.resolve(driver.value(), address.value()), dir);
    mdevParents.driverBound(address, driver);
    setPowerState(address, "D0");
  }

  /**
   * Unbinds the device; the driver's remove takes with it what the driver made: a PF's VFs
   * (pci_disable_sriov) and an mdev parent's instances and types (mdev_unregister_parent).
   */
  public void unbind(PciAddress address) {
    Optional<DriverName> driver = driverOf(address);
    if (driver.isPresent()) {
      disableVfs(address);
      mdevParents.driverUnbound(address);
    }
    tree.delete(deviceDir(address).resolve("driver"));
    driver.ifPresent(d -> tree.delete(PCI_DRIVERS.resolve(d.value(), address.value())));
    if (driver.isPresent()) {
      setPowerState(address, "D0");
    }
  }

  /**
   * What the kernel does when a device is probed: with {@code driver_override} set only that driver
   * may take it; otherwise the first loaded driver whose id table names the device. No match leaves
   * the device without a driver, which is not an error.
   */
  public Optional<DriverName> probe(PciAddress address) {
    if (driverOf(address).isPresent()) {
      return driverOf(address);
    }
    Optional<DriverName> chosen = probeCandidate(address);
    chosen.ifPresent(driver -> bind(address, driver));
    return chosen;
  }

  /**
   * The driver a probe of an unbound device would try (driver_match_device): the override's, if
   * loaded, else the first loaded driver whose id table names it; empty for a bound device.
   */
  Optional<DriverName> probeCandidate(PciAddress address) {
    if (driverOf(address).isPresent()) {
      return Optional.empty();
    }
    return driverOverride(address)
        .map(override -> hasDriver(override) ? Optional.of(override) : Optional.<DriverName>empty())
        .orElseGet(() -> loadedDrivers().stream().filter(d -> claims(d, address)).findFirst());
  }

  public Optional<DriverName> driverOverride(PciAddress address) {
    String value = attribute(address, "driver_override");
    return value.isEmpty() || value.equals("(null)")
        ? Optional.empty()
        : Optional.of(new DriverName(value));
  }

  public List<DriverName> loadedDrivers() {
    if (!tree.exists(PCI_DRIVERS)) {
      return List.of();
    }
    return tree.list(PCI_DRIVERS).stream().map(DriverName::new).toList();
  }

  private Set<String> driverIds(DriverName driver) {
    HostPath file = PRIVATE.resolve("drivers", driver.value());
    Set<String> ids = new LinkedHashSet<>();
    if (tree.exists(file)) {
      tree.read(file).lines().filter(line -> !line.isBlank()).forEach(ids::add);
    }
    return ids;
  }

  private void writeDriverIds(DriverName driver, Set<String> ids) {
    tree.createDirectories(PRIVATE.resolve("drivers"));
    tree.write(
        PRIVATE.resolve("drivers", driver.value()),
        String.join("\n", ids) + (ids.isEmpty() ? "" : "\n"));
  }

  // --- power and reset ------------------------------------------------------------------------

  /**
   * The kernel's cached power state ({@code power_state}, Linux 5.11+): "unknown" until a driver
   * binds, D0 once one did. On the test bed's kernel vfio-pci lets an idle device drop to D3hot a
   * moment after it binds (runtime power management; read at once it is still D0), and a reset
   * leaves it there: a time-dependent state the model does not follow, and a healthy one.
   */
  private void setPowerState(PciAddress address, String state) {
    setAttribute(address, "power_state", state);
  }

  /**
   * Gives a function the reset methods it supports, in the kernel's order, all enabled: the {@code
   * reset} and {@code reset_method} files appear, or go for none (pci_dev_reset_attr_is_visible).
   */
  public void setSupportedResetMethods(PciAddress address, List<String> methods) {
    HostPath dir = deviceDir(address);
    HostPath supported = PRIVATE.resolve("reset-methods", address.value());
    if (methods.isEmpty()) {
      tree.delete(dir.resolve("reset"));
      tree.delete(dir.resolve("reset_method"));
      tree.delete(supported);
      return;
    }
    tree.createDirectories(supported.parent());
    tree.write(supported, String.join(" ", methods) + "\n");
    tree.write(dir.resolve("reset"), "");
    enableResetMethods(address, methods);
  }

  public List<String> supportedResetMethods(PciAddress address) {
    HostPath supported = PRIVATE.resolve("reset-methods", address.value());
    return tree.exists(supported) ? words(tree.read(supported)) : List.of();
  }

  public List<String> enabledResetMethods(PciAddress address) {
    HostPath file = deviceDir(address).resolve("reset_method");
    return tree.exists(file) ? words(tree.read(file)) : List.of();
  }

  /** What {@code reset_method} shows: the names space-separated, nothing at all for none. */
  void enableResetMethods(PciAddress address, List<String> methods) {
    tree.write(
        deviceDir(address).resolve("reset_method"),
        methods.isEmpty() ? "" : String.join(" ", methods) + "\n");
  }

  private static List<String> words(String text) {
    return Arrays.stream(text.strip().split("\\s+")).filter(w -> !w.isEmpty()).toList();
  }

  // --- SR-IOV ----------------------------------------------------------------------------------

  /** How many VFs the PF has enabled ({@code sriov_numvfs}); 0 for a function without SR-IOV. */
  private int enabledVfs(PciAddress pf) {
    HostPath numvfs = deviceDir(pf).resolve("sriov_numvfs");
    return tree.exists(numvfs) ? Integer.parseInt(tree.read(numvfs).trim()) : 0;
  }

  /** pci_disable_sriov: the VFs, their links and IOMMU groups go, and the PF shows 0. */
  void disableVfs(PciAddress pf) {
    int count = enabledVfs(pf);
    if (count == 0) {
      return;
    }
    HostPath pfDir = deviceDir(pf);
    for (int i = 0; i < count; i++) {
      HostPath link = pfDir.resolve("virtfn" + i);
      tree.readLink(link)
          .map(dir -> new PciAddress(dir.name()))
          .filter(this::hasDevice)
          .ifPresent(
              vf -> {
                Optional<String> group = iommuGroupOf(vf);
                removeDevice(vf);
                group.ifPresent(this::removeIommuGroup);
              });
      tree.delete(link);
    }
    // The VFs' link settings (MAC, VLAN, trust) die with them, as they do in the PF driver.
    tree.delete(IpLinkModel.stateFile(pf));
    setAttribute(pf, "sriov_numvfs", "0");
  }

  // --- IOMMU groups ----------------------------------------------------------------------------

  /** Puts the devices in a new IOMMU group and returns its number. */
  public int newIommuGroup(List<PciAddress> members) {
    int group = 0;
    if (tree.exists(IOMMU_GROUPS)) {
      for (String name : tree.list(IOMMU_GROUPS)) {
        group = Math.max(group, Integer.parseInt(name) + 1);
      }
    }
    HostPath devices = IOMMU_GROUPS.resolve(Integer.toString(group), "devices");
    tree.createDirectories(devices);
    for (PciAddress member : members) {
      joinIommuGroup(group, deviceDir(member), member.value());
    }
    return group;
  }

  /** Links a device directory (PCI function or mdev instance) into a group, both ways. */
  public void joinIommuGroup(int group, HostPath deviceDir, String name) {
    HostPath groupDir = IOMMU_GROUPS.resolve(Integer.toString(group));
    tree.createDirectories(groupDir.resolve("devices"));
    tree.link(groupDir.resolve("devices", name), deviceDir);
    tree.link(deviceDir.resolve("iommu_group"), groupDir);
  }

  public Optional<String> iommuGroupOf(PciAddress address) {
    return tree.readLink(deviceDir(address).resolve("iommu_group")).map(HostPath::name);
  }

  public void removeIommuGroup(String group) {
    tree.removeTree(IOMMU_GROUPS.resolve(group));
  }

  public static String hex(int value, int digits) {
    return String.format("0x%0" + digits + "x\n", value);
  }

  private static String idPair(int vendor, int device) {
    return String.format("%04x %04x", vendor, device);
  }

  static List<String> lines(String text) {
    return new ArrayList<>(text.lines().filter(line -> !line.isBlank()).toList());
  }
}
