package dev.guesthook.check;

import dev.guesthook.config.VmSettingsFile;
import dev.guesthook.devices.Devices;
import dev.guesthook.devices.MdevTypeInfo;
import dev.guesthook.devices.PciDevice;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.Hostpci;
import dev.guesthook.pve.MappingCheck;
import dev.guesthook.pve.PciMapping;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import dev.guesthook.yaml.ConfigException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Is this node ready to pass devices through, and is it ready for this VM's devices? The checks of
 * the Proxmox VE passthrough chapter, read through the host port: IOMMU on, the vfio modules
 * loaded, and per {@code hostpciN} the device there, its IOMMU group, its driver, its mdev type's
 * free instances, its VF, its mapping, and the q35/OVMF advice for a GPU with {@code x-vga}.
 */
public final class ReadinessCheck {
  private static final List<String> VFIO_MODULES = List.of("vfio", "vfio_iommu_type1", "vfio_pci");

  private final HostPort host;
  private final Pve pve;
  private final Devices devices;
  private final String node;

  public ReadinessCheck(HostPort host, String node) {
    this.host = host;
    this.pve = new Pve(host);
    this.devices = new Devices(host);
    this.node = node;
  }

  /** The node's own readiness. */
  public List<CheckItem> node(boolean onlyMdev) {
    List<CheckItem> out = new ArrayList<>();
    String cmdline = readOr(HostPath.of("proc", "cmdline"), "");
    boolean groups =
        host.exists(SysfsPaths.IOMMU_GROUPS) && !host.list(SysfsPaths.IOMMU_GROUPS).isEmpty();
    boolean onCmdline = cmdline.matches("(?s).*\\b(intel_iommu=on|amd_iommu=on)\\b.*");
    if (groups) {
      out.add(
          CheckItem.pass(
              "IOMMU",
              host.list(SysfsPaths.IOMMU_GROUPS).size()
                  + " IOMMU groups"
                  + (onCmdline
                      ? ", enabled on the kernel command line"
                      : " (enabled by the kernel's default)")));
    } else {
      out.add(
          CheckItem.fail(
              "IOMMU",
              "no IOMMU groups in /sys/kernel/iommu_groups: enable VT-d/AMD-Vi in the firmware"
                  + (onCmdline
                      ? ""
                      : " and add intel_iommu=on (Intel) to the kernel command line")));
    }
    out.add(
        cmdline.matches("(?s).*\\biommu=pt\\b.*")
            ? CheckItem.pass("IOMMU passthrough mode", "iommu=pt is set")
            : CheckItem.warn(
                "IOMMU passthrough mode",
                "iommu=pt is not set (optional; may improve performance)"));
    List<String> missing = VFIO_MODULES.stream().filter(m -> !moduleLoaded(m)).toList();
    if (missing.isEmpty()) {
      out.add(CheckItem.pass("vfio modules", String.join(", ", VFIO_MODULES) + " loaded"));
    } else {
      String detail =
          "not loaded: "
              + String.join(", ", missing)
              + " (add them to /etc/modules and run update-initramfs -u -k all)";
      out.add(
          onlyMdev
              ? CheckItem.warn("vfio modules", detail + "; mediated devices do not need them")
              : CheckItem.fail("vfio modules", detail));
    }
    return out;
  }

  /**
   * A problem of a {@code hostpciN} line: "... value of 'hostpci0' ..." or "hostpci0: Proxmox
   * refuses the start ...".
   */
  private static final Pattern HOSTPCI_PROBLEM = Pattern.compile("\\bhostpci\\d+\\b");

  /**
   * A config line Proxmox skips with a warning: a fail when it is a {@code hostpciN} line (the
   * guest would start without that device), a warning otherwise.
   */
  private static CheckItem configProblem(VmId vmid, String problem) {
    String subject = "VM " + vmid + " config";
    return HOSTPCI_PROBLEM.matcher(problem).find()
        ? CheckItem.fail(
            subject, problem + " (Proxmox starts the VM without this" + " device; fix the line)")
        : CheckItem.warn(subject, problem);
  }

  /** The node and everything a VM's {@code hostpciN} entries need. */
  public List<CheckItem> vm(VmId vmid) throws PveFileException {
    VmConfig config = pve.config(vmid);
    List<Hostpci> entries = config.hostpci();
    List<CheckItem> out =
        new ArrayList<>(
            node(!entries.isEmpty() && entries.stream().allMatch(h -> h.mdev().isPresent())));
    config.problems().forEach(problem -> out.add(configProblem(vmid, problem)));
    if (entries.isEmpty()) {
      out.add(CheckItem.pass("VM " + vmid, "no hostpci devices"));
    }
    boolean usesMappings = entries.stream().anyMatch(h -> h.mapping().isPresent());
    Map<String, PciMapping> mappings = usesMappings ? pve.pciMappings() : Map.of();
    if (usesMappings) {
      pve.pciMappingWarnings().forEach(warning -> out.add(CheckItem.warn("pci.cfg", warning)));
    }
    for (Hostpci h : entries) {
      String subject = "hostpci" + h.index();
      if (h.mapping().isPresent()) {
        out.addAll(mapping(subject, h.mapping().get(), mappings));
      } else if (h.mdev().isPresent()) {
        out.addAll(mdev(subject, vmid, h));
      } else {
        out.addAll(wholeDevices(subject, h, vfsPlanned(vmid)));
      }
      if ("1".equals(h.options().get("x-vga"))) {
        out.add(gpuAdvice(subject, config));
      }
    }
    Map<Integer, List<List<String>>> alternatives = alternatives(entries, mappings);
    // qemu-server reads hostpci after pre-start, when the sriov-vf hook has made the VFs it plans
    alternatives.keySet().removeAll(vfsPlanned(vmid).keySet());
    out.addAll(HostpciStartRefusals.of(config, vmid, entries, alternatives, devices));
    return out;
  }

  /**
   * What parse_hostpci chooses from: the host IDs, or the paths of a usable mapping's entries on
   * this node.
   */
  private Map<Integer, List<List<String>>> alternatives(
      List<Hostpci> entries, Map<String, PciMapping> mappings) {
    Map<Integer, List<List<String>>> out = new HashMap<>();
    for (Hostpci h : entries) {
      PciMapping mapping = h.mapping().map(mappings::get).orElse(null);
      if (h.mapping().isEmpty()) {
        out.put(h.index(), List.of(h.ids()));
      } else if (mapping != null && mapping.refusalOn(node).isEmpty()) {
        out.put(h.index(), mapping.on(node).stream().map(PciMapping.Node::paths).toList());
      }
    }
    return out;
  }

  private List<CheckItem> mapping(String subject, String id, Map<String, PciMapping> mappings) {
    return List.of(
        new MappingCheck(host)
            .refusal(id, mappings, node)
            .map(why -> CheckItem.fail(subject, why))
            .orElse(CheckItem.pass(subject, "mapping '" + id + "' matches the hardware")));
  }

  private List<CheckItem> mdev(String subject, VmId vmid, Hostpci h) {
    String type = h.mdev().get();
    List<CheckItem> out = new ArrayList<>();
    for (PciAddress parent : h.functions()) {
      if (!devices.pci().exists(parent)) {
        out.add(CheckItem.fail(subject, "no PCI device " + parent));
        continue;
      }
      if (devices.nvidia().hasVfInterface(parent)) {
        boolean creatable =
            devices.nvidia().creatable(parent).stream()
                .anyMatch(t -> ("nvidia-" + t.id()).equals(type));
        out.add(
            creatable || ("nvidia-" + devices.nvidia().currentType(parent)).equals(type)
                ? CheckItem.pass(subject, parent + " (vGPU 17 VF) can take " + type)
                : CheckItem.fail(
                    subject,
                    parent
                        + " cannot take "
                        + type
                        + " now (see its nvidia/creatable_vgpu_types)"));
        continue;
      }
      if (!devices.mdev().isParent(parent)) {
        out.add(
            CheckItem.fail(
                subject, parent + " does not offer mediated devices (no mdev_supported_types)"));
        continue;
      }
      Optional<DriverName> driver = devices.pci().driver(parent);
      if (driver.isEmpty() || driver.get().equals(DriverName.VFIO_PCI)) {
        out.add(
            CheckItem.fail(
                subject,
                parent
                    + " must stay with its host driver for mdev, it has "
                    + driver.map(DriverName::value).orElse("no driver")));
      }
      Optional<MdevTypeInfo> info =
          devices.mdev().types(parent).stream()
              .filter(t -> t.type().value().equals(type))
              .findFirst();
      boolean ours = devices.mdev().instance(Uuid.proxmox(vmid, h.index())).isPresent();
      // An exhausted type gets no line here: qemu-server's own refusal (HostpciStartRefusals) says
      // it.
      boolean exhausted = info.isPresent() && info.get().availableInstances() < 1 && !ours;
      if (info.isEmpty()) {
        out.add(CheckItem.fail(subject, parent + " has no mdev type " + type));
      } else if (!exhausted) {
        out.add(
            CheckItem.pass(
                subject,
                type
                    + " ("
                    + info.get().name()
                    + ") on "
                    + parent
                    + ": "
                    + info.get().availableInstances()
                    + " free"));
      }
    }
    return out;
  }

  /**
   * hostpci index -> PF, for the VFs the sriov-vf hook creates at pre-start (from the VM's own
   * settings).
   */
  private Map<Integer, PciAddress> vfsPlanned(VmId vmid) {
    Map<Integer, PciAddress> out = new HashMap<>();
    try {
      Object hook =
          VmSettingsFile.read(host, Path.of("/"), vmid).plain() instanceof Map<?, ?> file
              ? file.get("sriov-vf")
              : null;
      Object vfs = hook instanceof Map<?, ?> settings ? settings.get("vfs") : null;
      if (vfs instanceof List<?> list) {
        for (Object entry : list) {
          if (entry instanceof Map<?, ?> m
              && m.get("hostpci") instanceof Number index
              && m.get("pf") != null) {
            out.put(index.intValue(), PciAddress.parse(String.valueOf(m.get("pf"))));
          }
        }
      }
    } catch (ConfigException | IllegalArgumentException e) {
      // A broken settings file is the phase's error to report; here the VF simply counts as
      // missing.
    }
    return out;
  }

  private List<CheckItem> wholeDevices(
      String subject, Hostpci h, Map<Integer, PciAddress> vfsPlanned) {
    List<CheckItem> out = new ArrayList<>();
    List<PciAddress> functions = new ArrayList<>(h.functions());
    h.slots().forEach(slot -> functions.addAll(devices.pci().functions(slot)));
    if (functions.isEmpty()) {
      return List.of(CheckItem.fail(subject, "no PCI device at " + String.join(";", h.ids())));
    }
    for (PciAddress address : functions) {
      if (!devices.pci().exists(address)) {
        PciAddress pf = vfsPlanned.get(h.index());
        out.add(
            pf != null && devices.sriov().isPhysicalFunction(pf)
                ? CheckItem.warn(
                    subject,
                    address
                        + " is not there yet: the sriov-vf hook enables the VFs of "
                        + pf
                        + " at pre-start")
                : CheckItem.fail(subject, "no PCI device " + address));
        continue;
      }
      PciDevice device = devices.pci().info(address);
      out.add(group(subject, device, Set.copyOf(functions)));
      Optional<DriverName> driver = device.driver();
      out.add(
          driver.isEmpty() || driver.get().equals(DriverName.VFIO_PCI)
              ? CheckItem.pass(
                  subject,
                  address
                      + " "
                      + device.ids()
                      + ": "
                      + driver.map(DriverName::value).orElse("no driver"))
              : CheckItem.warn(
                  subject,
                  address
                      + " "
                      + device.ids()
                      + " is used by "
                      + driver.get()
                      + " on the host; Proxmox (or the "
                      // A VF is bound by the sriov-vf hook; a whole device is handed back by
                      // gpu-release.
                      + (device.isVirtualFunction() ? "sriov-vf" : "gpu-release")
                      + " hook) moves it to vfio-pci at start"));
      out.add(ResetAdvice.of(subject, device, devices.pci().resetMethods(address)));
    }
    return out;
  }

  /**
   * Its own functions and bridges may share the group; anything else would go to the VM with it.
   */
  private CheckItem group(String subject, PciDevice device, Set<PciAddress> passed) {
    if (device.iommuGroup().isEmpty()) {
      return CheckItem.fail(subject, device.address() + " has no IOMMU group (IOMMU off?)");
    }
    List<String> others = new ArrayList<>();
    for (PciAddress member : device.groupMembers()) {
      boolean ownFunction =
          member.slot().equals(device.address().slot()) || passed.contains(member);
      if (!ownFunction && !devices.pci().info(member).isBridge()) {
        others.add(member + " " + devices.pci().info(member).ids());
      }
    }
    return others.isEmpty()
        ? CheckItem.pass(
            subject,
            device.address()
                + ": IOMMU group "
                + device.iommuGroup().get()
                + " holds only its own functions")
        : CheckItem.fail(
            subject,
            device.address()
                + " shares IOMMU group "
                + device.iommuGroup().get()
                + " with "
                + String.join(", ", others)
                + ": try another slot");
  }

  private CheckItem gpuAdvice(String subject, VmConfig config) {
    boolean q35;
    try {
      q35 = config.machine().isQ35();
    } catch (PveFileException e) {
      return CheckItem.fail(subject, e.getMessage());
    }
    boolean ovmf = config.get("bios").filter("ovmf"::equals).isPresent();
    return q35 && ovmf
        ? CheckItem.pass(subject, "x-vga GPU on q35 with OVMF")
        : CheckItem.warn(
            subject,
            "x-vga GPU: use machine q35 and bios ovmf (UEFI) for the best compatibility"
                + (q35 ? "" : "; machine is not q35")
                + (ovmf ? "" : "; bios is not ovmf"));
  }

  private boolean moduleLoaded(String module) {
    String modules = readOr(HostPath.of("proc", "modules"), "");
    return modules.lines().anyMatch(line -> line.startsWith(module + " "))
        || host.exists(HostPath.of("sys", "module", module));
  }

  private String readOr(HostPath path, String fallback) {
    return host.exists(path) ? host.read(path) : fallback;
  }
}
