package dev.guesthook.pve;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The Proxmox side of a host, read through the host port. It only ever reads Proxmox's files. */
public final class Pve {
  private static final HostPath ETC_PVE = HostPath.of("etc", "pve");
  private static final HostPath QEMU_RUN = HostPath.of("run", "qemu-server");

  /** A node name as Proxmox takes it (a host name's first label); asked at every phase. */
  private static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");

  private final HostPort host;

  public Pve(HostPort host) {
    this.host = host;
  }

  public static HostPath configPath(GuestType type, VmId vmid) {
    return ETC_PVE.resolve(type.configFolder(), vmid + ".conf");
  }

  /** Which kind of guest has this id on this node, from where its config lives. */
  public Optional<GuestType> guestType(VmId vmid) {
    for (GuestType type : GuestType.values()) {
      if (host.exists(configPath(type, vmid))) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  /** The guest's config; fails naming the file when it is absent, unreadable or malformed. */
  public VmConfig config(VmId vmid) throws PveFileException {
    GuestType type =
        guestType(vmid)
            .orElseThrow(
                () ->
                    new PveFileException(
                        "no config for guest "
                            + vmid
                            + " on this node (looked for "
                            + configPath(GuestType.QEMU, vmid)
                            + " and "
                            + configPath(GuestType.LXC, vmid)
                            + ")"));
    return config(type, vmid);
  }

  public VmConfig config(GuestType type, VmId vmid) throws PveFileException {
    return config(configPath(type, vmid));
  }

  /**
   * A VM's config in a cluster node's own folder ({@code /etc/pve/nodes/<node>/qemu-server}, which
   * every node sees); empty when that node has none. {@code node} must be a checked node name.
   */
  public Optional<VmConfig> configOnNode(String node, VmId vmid) throws PveFileException {
    HostPath path = nodeConfigPath(node, vmid);
    return host.exists(path) ? Optional.of(config(path)) : Optional.empty();
  }

  public static HostPath nodeConfigPath(String node, VmId vmid) {
    return ETC_PVE.resolve("nodes", node, GuestType.QEMU.configFolder(), vmid + ".conf");
  }

  private VmConfig config(HostPath path) throws PveFileException {
    String text;
    try {
      text = host.read(path);
    } catch (HostException e) {
      throw new PveFileException(
          "cannot read " + path + ": " + e.errno() + " (" + e.getMessage() + ")");
    }
    return VmConfigParser.parse(path.toString(), text);
  }

  /** The qemu guests whose configs are on this node, in id order. */
  public List<VmId> qemuGuests() {
    return guests(GuestType.QEMU);
  }

  /** Every guest on this node, VMs and containers, by id. */
  public List<VmId> guests() {
    return Stream.concat(guests(GuestType.QEMU).stream(), guests(GuestType.LXC).stream())
        .distinct()
        .sorted()
        .toList();
  }

  private List<VmId> guests(GuestType type) {
    HostPath folder = ETC_PVE.resolve(type.configFolder());
    if (!host.exists(folder)) {
      return List.of();
    }
    return host.list(folder).stream()
        .filter(name -> name.matches("[1-9][0-9]{2,8}\\.conf"))
        .map(name -> VmId.parse(name.substring(0, name.length() - ".conf".length())))
        .sorted()
        .toList();
  }

  /**
   * The cluster's PCI resource mappings ({@code /etc/pve/mapping/pci.cfg}); none when the file is
   * absent.
   */
  public Map<String, PciMapping> pciMappings() throws PveFileException {
    HostPath file = ETC_PVE.resolve("mapping", "pci.cfg");
    return host.exists(file) ? PciMappings.parse(file.toString(), host.read(file)) : Map.of();
  }

  /** What Proxmox would warn about in {@code /etc/pve/mapping/pci.cfg} and pass over. */
  public List<String> pciMappingWarnings() throws PveFileException {
    HostPath file = ETC_PVE.resolve("mapping", "pci.cfg");
    return host.exists(file) ? PciMappings.warnings(file.toString(), host.read(file)) : List.of();
  }

  /**
   * The storages ({@code /etc/pve/storage.cfg}); without the file, just {@code local}, as
   * pve-storage has it.
   */
  public StorageConfig storageConfig() throws PveFileException {
    HostPath file = ETC_PVE.resolve("storage.cfg");
    return host.exists(file)
        ? StorageConfig.parse(file.toString(), host.read(file))
        : StorageConfig.absent();
  }

  /** USB resource mappings ({@code /etc/pve/mapping/usb.cfg}). */
  public Map<String, UsbMapping> usbMappings() throws PveFileException {
    HostPath file = ETC_PVE.resolve("mapping", "usb.cfg");
    return host.exists(file) ? OtherMappings.usb(file.toString(), host.read(file)) : Map.of();
  }

  /** Directory mappings for virtiofs ({@code /etc/pve/mapping/directory.cfg}). */
  public Map<String, DirMapping> directoryMappings() throws PveFileException {
    HostPath file = ETC_PVE.resolve("mapping", "directory.cfg");
    return host.exists(file)
        ? OtherMappings.directories(file.toString(), host.read(file))
        : Map.of();
  }

  /** Devices qemu-server has reserved for running or starting guests. */
  public Map<PciAddress, VmId> pciReservations(Instant now) {
    return PciReservations.active(host, now);
  }

  /**
   * Whether the guest runs on this node, as Proxmox tells: a VM by its QEMU ({@link #qemuRunning}),
   * a container by its cgroup.
   */
  public boolean isRunning(VmId vmid) {
    return qemuRunning(vmid)
        || host.exists(HostPath.of("sys", "fs", "cgroup", "lxc", vmid.toString()));
  }

  /**
   * Whether this VM's QEMU runs, as qemu-server's {@code vm_running_locally} decides: the first
   * line of its pid file names a process that is not a zombie, is QEMU, and was started with this
   * pid file. A pid file naming any other live process (the pid reused after a crash) is not a
   * running VM.
   */
  public boolean qemuRunning(VmId vmid) {
    return whyRunning(vmid).isPresent();
  }

  /**
   * Why a VM counts as running: its QEMU is seen, or its pid file cannot be read ({@code certain}
   * false).
   */
  public record Running(String why, boolean certain) {}

  /**
   * Why the VM counts as running, or empty when it does not. A pid file that cannot be read as a
   * file (a folder, a FIFO, a link out of the root) counts as running: guesthook cannot tell, and
   * taking devices from a running QEMU is the harm to avoid.
   */
  public Optional<Running> whyRunning(VmId vmid) {
    HostPath pidFile = QEMU_RUN.resolve(vmid + ".pid");
    if (!host.exists(pidFile)) {
      return Optional.empty();
    }
    String text;
    try {
      text = host.read(pidFile);
    } catch (HostException unreadable) {
      return Optional.of(
          new Running(
              "its pid file cannot be read ("
                  + unreadable.getMessage()
                  + "), so guesthook"
                  + " cannot tell whether its QEMU runs",
              false));
    }
    // qemu-server reads one line and matches ^(\d+)$, which allows the line's own newline only.
    String pid = text.split("\n", 2)[0];
    if (!pid.matches("[0-9]{1,10}")) {
      return Optional.empty();
    }
    HostPath process = HostPath.of("proc", pid);
    boolean running =
        isQemuWithPidFile(readOr(process.resolve("cmdline")), vmid)
            && isAlive(readOr(process.resolve("stat")), pid);
    return running
        ? Optional.of(new Running("its QEMU holds /var/run/qemu-server/" + vmid + ".pid", true))
        : Optional.empty();
  }

  /**
   * QEMU's argv (NUL-separated) runs kvm or qemu-system-* with {@code -pidfile} this VM's pid file.
   */
  private static boolean isQemuWithPidFile(String cmdline, VmId vmid) {
    List<String> args = List.of(cmdline.split("\0"));
    String command = args.get(0);
    if (!command.endsWith("kvm") && !command.matches("(?:.*/)?qemu-system-[^/]+")) {
      return false;
    }
    // qemu-server passes /var/run/qemu-server/<vmid>.pid; /var/run is a link to /run on every
    // Debian.
    Set<String> ours =
        Set.of("/var/run/qemu-server/" + vmid + ".pid", "/run/qemu-server/" + vmid + ".pid");
    for (int i = 1; i + 1 < args.size(); i++) {
      if (args.get(i).matches("--?pidfile") && ours.contains(args.get(i + 1))) {
        return true;
      }
    }
    return false;
  }

  /** {@code /proc/<pid>/stat} shows the process, and not as a zombie (it has exited, unreaped). */
  private static boolean isAlive(String stat, String pid) {
    return stat.startsWith(pid + " (")
        && !stat.substring(stat.lastIndexOf(')') + 1).strip().startsWith("Z");
  }

  /** The file's text, or empty when it is gone (the process ended while we looked). */
  private String readOr(HostPath file) {
    try {
      return host.exists(file) ? host.read(file) : "";
    } catch (HostException gone) {
      return "";
    }
  }

  /** The node's name as Proxmox knows it: the first label of /etc/hostname. */
  public Optional<String> nodeName() {
    HostPath hostname = HostPath.of("etc", "hostname");
    if (!host.exists(hostname)) {
      return Optional.empty();
    }
    String name;
    try {
      name = host.read(hostname).strip();
    } catch (HostException unreadable) { // a folder, a link out of the root: no name read
      return Optional.empty();
    }
    int dot = name.indexOf('.');
    name = dot > 0 ? name.substring(0, dot) : name;
    return NODE_NAME.matcher(name).matches() ? Optional.of(name) : Optional.empty();
  }
}
