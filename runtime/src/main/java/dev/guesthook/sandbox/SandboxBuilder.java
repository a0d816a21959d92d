package dev.guesthook.sandbox;

import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.host.sim.MdevParents;
import dev.guesthook.host.sim.PciDeviceSpec;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.host.sim.Sysfs;
import dev.guesthook.host.tree.FileTree;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.NetInterface;
import dev.guesthook.id.PciAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Writes a simulated host: PCI functions with their ids, drivers and IOMMU groups, SR-IOV and mdev
 * capabilities, network interfaces, NVIDIA vGPU profiles, and the Proxmox side (guest configs,
 * storage.cfg, per-VM guesthook settings). Tests use it to build the host a case needs; the
 * profiles of {@code guesthook sandbox create} are made with it.
 */
public final class SandboxBuilder {
  /** The host name of a one-node sandbox, which its profile's resource mappings name. */
  static final String HOSTNAME = "pve-sandbox";

  private final FileTree tree;
  private final Sysfs sysfs;
  private final SimulatedHost kernel;

  private SandboxBuilder(Path root) {
    this.tree = new FileTree(root);
    tree.createDirectories(HostPath.ROOT);
    this.sysfs = new Sysfs(tree);
    this.kernel = new SimulatedHost(tree, "sandbox");
  }

  /** Starts a sandbox in {@code root} (made if needed) with the marker the simulator asks for. */
  public static SandboxBuilder at(Path root, String profile) {
    SandboxBuilder builder = new SandboxBuilder(root);
    builder.file(SimulatedHost.SANDBOX_MARKER.toString(), "profile: " + profile + "\n");
    builder.file("/etc/hostname", HOSTNAME + "\n");
    builder.file("/sys/bus/pci/drivers_probe", "");
    builder.tree.createDirectories(SysfsPaths.MDEV_DEVICES);
    builder.tree.createDirectories(SysfsPaths.IOMMU_GROUPS);
    builder.tree.createDirectories(Sysfs.PRIVATE.resolve("vf-links"));
    builder.tree.createDirectories(HostPath.of("run", "guesthook", "state"));
    builder.module("vfio_pci", "vfio-pci");
    return builder;
  }

  public SimulatedHost host() {
    return kernel;
  }

  /** A loaded module and the drivers it registers, each claiming {@code "vvvv:dddd"} ids. */
  public SandboxBuilder module(String module, String driver, String... ids) {
    availableModule(module, driver, ids);
    kernel.run(HostCommand.of("modprobe", module));
    return this;
  }

  /** A module that is installed but not loaded: {@code modprobe} can load it. */
  public SandboxBuilder availableModule(String module, String driver, String... ids) {
    StringBuilder line = new StringBuilder(new DriverName(driver).value());
    for (String id : ids) {
      String[] pair = id.split(":");
      line.append(' ').append(pair[0]).append(' ').append(pair[1]);
    }
    HostPath file = Sysfs.PRIVATE.resolve("modules", module);
    String before = tree.exists(file) ? tree.read(file) : "";
    if (!before.lines().toList().contains(line.toString())) {
      file(file.toString(), before + line + "\n");
    }
    return this;
  }

  /** A PCI function, probed like at boot: it ends up with the driver whose id table claims it. */
  public SandboxBuilder device(PciDeviceSpec spec) {
    sysfs.addDevice(spec, Optional.empty());
    sysfs.probe(spec.address());
    return this;
  }

  /**
   * The reset methods a function supports, in the kernel's order ({@code reset_method}); a function
   * given none has no {@code reset} file, as on Linux.
   */
  public SandboxBuilder resetMethods(String address, String... methods) {
    sysfs.setSupportedResetMethods(PciAddress.parse(address), List.of(methods));
    return this;
  }

  /** Puts functions in one IOMMU group (the functions of a GPU usually share one). */
  public SandboxBuilder iommuGroup(String... addresses) {
    sysfs.newIommuGroup(Arrays.stream(addresses).map(PciAddress::parse).toList());
    return this;
  }

  /** SR-IOV capability on a PF: VF k is at routing id PF + offset + k * stride. */
  public SandboxBuilder sriov(String pf, int totalVfs, int offset, int stride, int vfDevice) {
    PciAddress address = PciAddress.parse(pf);
    sysfs.setAttribute(address, "sriov_totalvfs", Integer.toString(totalVfs));
    sysfs.setAttribute(address, "sriov_numvfs", "0");
    sysfs.setAttribute(address, "sriov_offset", Integer.toString(offset));
    sysfs.setAttribute(address, "sriov_stride", Integer.toString(stride));
    sysfs.setAttribute(address, "sriov_vf_device", String.format("%04x", vfDevice));
    sysfs.setAttribute(address, "sriov_drivers_autoprobe", "1");
    return this;
  }

  /** Enables VFs through the kernel model, as {@code echo N > sriov_numvfs} at boot would. */
  public SandboxBuilder enableVfs(String pf, int count) {
    kernel.write(SysfsPaths.device(PciAddress.parse(pf), "sriov_numvfs"), Integer.toString(count));
    return this;
  }

  /** The network interface of a NIC function, in its {@code net/} folder and in /sys/class/net. */
  public SandboxBuilder netdev(String pf, String name, String mac) {
    PciAddress address = PciAddress.parse(pf);
    HostPath dir = sysfs.deviceDir(address).resolve("net", new NetInterface(name).value());
    tree.createDirectories(dir);
    tree.write(dir.resolve("address"), mac + "\n");
    tree.link(dir.resolve("device"), sysfs.deviceDir(address));
    tree.createDirectories(SysfsPaths.NET_CLASS);
    tree.link(SysfsPaths.NET_CLASS.resolve(name), dir);
    return this;
  }

  /**
   * A mediated device type the parent's driver (bound now) offers, with {@code available} instances
   * of its own: other types of the parent do not take from them.
   */
  public SandboxBuilder mdevType(
      String parent, String type, String name, String description, int available) {
    PciAddress address = PciAddress.parse(parent);
    if (sysfs.mdevParents().hasPool(address)) {
      throw new IllegalStateException(
          parent + " has an mdev pool; its types cost units: use pooledMdevType");
    }
    return declareMdevType(address, type, name, Optional.of(description), available);
  }

  /**
   * One pool of {@code units} that all mdev types of the parent draw on, as GVT-g (graphics memory)
   * and NVIDIA vGPU (frame buffer) drivers count; declare it before the parent's {@link
   * #pooledMdevType}s.
   */
  public SandboxBuilder mdevPool(String parent, int units) {
    sysfs.mdevParents().declarePool(PciAddress.parse(parent), units);
    return this;
  }

  /**
   * A mediated device type of a parent with an {@link #mdevPool}: each instance costs {@code cost}
   * units, so its {@code available_instances} is the pool's free units / cost, and making an
   * instance of any type lowers every type's count.
   */
  public SandboxBuilder pooledMdevType(
      String parent, String type, String name, String description, int cost) {
    PciAddress address = PciAddress.parse(parent);
    if (!sysfs.mdevParents().hasPool(address)) {
      throw new IllegalStateException(
          parent + " has no mdev pool: declare mdevPool first, or use mdevType");
    }
    return declareMdevType(address, type, name, Optional.of(description), cost);
  }

  /**
   * As {@link #mdevType}, for a driver that gives its types no {@code description} (newer NVIDIA
   * drivers).
   */
  public SandboxBuilder mdevTypeWithoutDescription(
      String parent, String type, String name, int available) {
    PciAddress address = PciAddress.parse(parent);
    if (sysfs.mdevParents().hasPool(address)) {
      throw new IllegalStateException(
          parent + " has an mdev pool; its types cost units: use pooledMdevType");
    }
    return declareMdevType(address, type, name, Optional.empty(), available);
  }

  private SandboxBuilder declareMdevType(
      PciAddress parent, String type, String name, Optional<String> description, int units) {
    sysfs
        .mdevParents()
        .declareType(
            parent, new MdevParents.TypeSpec(new MdevType(type), name, description, units));
    return this;
  }

  /** The vGPU profiles of an NVIDIA GPU that uses the VF interface: id, instances per GPU, name. */
  public SandboxBuilder nvidiaProfiles(String pf, Object... idMaxName) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i + 2 < idMaxName.length; i += 3) {
      lines.add(idMaxName[i] + "\t" + idMaxName[i + 1] + "\t" + idMaxName[i + 2]);
    }
    file(
        Sysfs.PRIVATE.resolve("nvidia", PciAddress.parse(pf).value()).toString(),
        String.join("\n", lines) + "\n");
    return this;
  }

  public SandboxBuilder vm(int vmid, String config) {
    return file("/etc/pve/qemu-server/" + vmid + ".conf", config);
  }

  /** guesthook's per-VM settings, kept in the cluster file system so they follow the VM. */
  public SandboxBuilder vmSettings(int vmid, String yaml) {
    return file("/etc/pve/guesthook/" + vmid + ".yaml", yaml);
  }

  /** Adds a section to {@code /etc/pve/mapping/pci.cfg}, which several profiles share. */
  public SandboxBuilder pciMapping(String section) {
    HostPath file = HostPath.parse("/etc/pve/mapping/pci.cfg");
    String before = tree.exists(file) ? tree.read(file) + "\n" : "";
    return file(file.toString(), before + section);
  }

  public SandboxBuilder file(String absolute, String content) {
    HostPath path = HostPath.parse(absolute);
    tree.createDirectories(path.parent());
    tree.write(path, content);
    return this;
  }
}
