package dev.guesthook.pve;

import dev.guesthook.id.PciAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import dev.guesthook.pve.GuestType;
import dev.guesthook.id.VmId;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import java.util.Optional;

/** The Proxmox side of a host, read through the host port. It only ever reads Proxmox's files. */
public final class Pve {
  private static final HostPath ETC_PVE = HostPath.of("etc", "pve");

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
    HostPath path = configPath(type, vmid);
    String text;
    try {
      text = host.read(path);
    } catch (HostException e) {
      throw new PveFileException("cannot read " + path + ": " + e.errno() + " (" + e.getMessage() + ")");
    }
    return VmConfigParser.parse(path.toString(), text);
  }

  /** The qemu guests whose configs are on this node, in id order. */
  public List<VmId> qemuGuests() {
    return guests(GuestType.QEMU);
  }

  /** Every guest on this node, VMs and containers, by id. */
  public List<VmId> guests() {
    return java.util.stream.Stream.concat(guests(GuestType.QEMU).stream(), guests(GuestType.LXC).stream())
        .distinct().sorted().toList();
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

  /** The cluster's PCI resource mappings ({@code /etc/pve/mapping/pci.cfg}); none when the file is absent. */
  public Map<String, PciMapping> pciMappings() throws PveFileException {
    HostPath file = ETC_PVE.resolve("mapping", "pci.cfg");
    return host.exists(file) ? PciMappings.parse(file.toString(), host.read(file)) : Map.of();
  }

  /** The storages ({@code /etc/pve/storage.cfg}); without the file, just {@code local}, as pve-storage has it. */
  public StorageConfig storageConfig() throws PveFileException {
    HostPath file = ETC_PVE.resolve("storage.cfg");
    return host.exists(file) ? StorageConfig.parse(file.toString(), host.read(file)) : StorageConfig.absent();
  }

  /** USB resource mappings ({@code /etc/pve/mapping/usb.cfg}). */
  public Map<String, UsbMapping> usbMappings() throws PveFileException {
    HostPath file = ETC_PVE.resolve("mapping", "usb.cfg");
    return host.exists(file) ? OtherMappings.usb(file.toString(), host.read(file)) : Map.of();
  }

  /** Directory mappings for virtiofs ({@code /etc/pve/mapping/directory.cfg}). */
  public Map<String, DirMapping> directoryMappings() throws PveFileException {
    HostPath file = ETC_PVE.resolve("mapping", "directory.cfg");
    return host.exists(file) ? OtherMappings.directories(file.toString(), host.read(file)) : Map.of();
  }

  /** Devices qemu-server has reserved for running or starting guests. */
  public Map<PciAddress, VmId> pciReservations(Instant now) {
    return PciReservations.active(host, now);
  }

  /**
   * Whether the guest runs on this node, as Proxmox tells: a QEMU guest by its pid file
   * ({@code /run/qemu-server/<vmid>.pid}) naming a live process, a container by its cgroup.
   */
  public boolean isRunning(VmId vmid) {
    HostPath pidFile = HostPath.of("run", "qemu-server", vmid + ".pid");
    if (host.exists(pidFile)) {
      String pid = host.read(pidFile).strip();
      if (pid.matches("[0-9]{1,10}") && host.exists(HostPath.of("proc", pid))) {
        return true;
      }
    }
    return host.exists(HostPath.of("sys", "fs", "cgroup", "lxc", vmid.toString()));
  }

  /** The node's name as Proxmox knows it: the first label of /etc/hostname. */
  public Optional<String> nodeName() {
    HostPath hostname = HostPath.of("etc", "hostname");
    if (!host.exists(hostname)) {
      return Optional.empty();
    }
    String name = host.read(hostname).strip();
    int dot = name.indexOf('.');
    name = dot > 0 ? name.substring(0, dot) : name;
    return name.matches("[A-Za-z0-9][A-Za-z0-9-]*") ? Optional.of(name) : Optional.empty();
  }
}
