package dev.guesthook.check;

import dev.guesthook.devices.Devices;
import dev.guesthook.devices.MdevTypeInfo;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.Hostpci;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What qemu-server refuses when it starts a VM whose {@code hostpciN} entries it has read, in the
 * order of its start (PVE::QemuServer::PCI): {@code parse_hostpci}, {@code parse_hostpci_devices},
 * {@code choose_hostpci_devices} (with {@code create_nvidia_device} of PCI::Mdev) and {@code
 * prepare_pci_device} (with {@code pci_create_mdev_device}); each entry's first refusal as a fail
 * line with qemu-server's own message.
 */
final class HostpciStartRefusals {
  /** Died without a newline, so perl adds where: PCI.pm as installed by qemu-server 9.2.6. */
  private static final String NOT_Q35 =
      "q35 machine model is not enabled at /usr/share/perl5/PVE/QemuServer/PCI.pm line 510.";

  private static final Pattern NVIDIA_MDEV = Pattern.compile("^nvidia-(\\d+)$");

  private final VmConfig config;
  private final VmId vmid;
  private final Devices devices;
  private final boolean q35;
  private final Set<PciAddress> used = new HashSet<>();
  private boolean legacyIgdSeen;

  private HostpciStartRefusals(VmConfig config, VmId vmid, Devices devices)
      throws PveFileException {
    this.config = config;
    this.vmid = vmid;
    this.devices = devices;
    this.q35 = config.machine().isQ35();
  }

  /**
   * @param alternatives per hostpci index, the ID lists qemu-server chooses from: the {@code host}
   *     IDs, or a mapping's paths on this node (absent where the mapping itself is not usable:
   *     reported apart)
   */
  static List<CheckItem> of(
      VmConfig config,
      VmId vmid,
      List<Hostpci> entries,
      Map<Integer, List<List<String>>> alternatives,
      Devices devices)
      throws PveFileException {
    HostpciStartRefusals rules = new HostpciStartRefusals(config, vmid, devices);
    List<CheckItem> out = new ArrayList<>();
    for (Hostpci h : entries) {
      List<List<String>> ids = alternatives.getOrDefault(h.index(), List.of());
      if (!ids.isEmpty()) {
        rules
            .refusal(h, ids)
            .ifPresent(
                why ->
                    out.add(
                        CheckItem.fail(
                            "hostpci" + h.index(), "Proxmox refuses the start: " + why)));
      }
    }
    return out;
  }

  private Optional<String> refusal(Hostpci h, List<List<String>> ids) {
    List<List<PciAddress>> found = new ArrayList<>();
    for (List<String> alternative : ids) {
      List<PciAddress> functions = new ArrayList<>();
      for (String id : alternative) {
        List<PciAddress> matches = lspci(id);
        if (matches.isEmpty()) {
          return Optional.of("no PCI device found for '" + id + "'");
        }
        functions.addAll(matches);
      }
      found.add(functions);
    }
    Entry entry = new Entry(h, found, nvidiaModel(h, found.get(0)));
    return parseHostpci(entry)
        .or(() -> parseHostpciDevices(entry))
        .or(() -> choose(entry))
        .or(() -> prepare(entry));
  }

  /**
   * An entry as qemu-server holds it after parse_hostpci: its alternatives' functions, and {@code
   * nvidia} if set.
   */
  private record Entry(Hostpci h, List<List<PciAddress>> alternatives, Optional<String> nvidia) {
    boolean multifunction() {
      return alternatives.stream().anyMatch(a -> a.size() > 1);
    }

    boolean classicMdev() {
      return h.mdev().isPresent() && nvidia.isEmpty();
    }
  }

  /** PVE::SysFSTools::lspci with an ID as filter: a function, or every function of a slot. */
  private List<PciAddress> lspci(String id) {
    if (id.contains(".")) {
      PciAddress address = PciAddress.parse(id.length() == 7 ? "0000:" + id : id);
      return devices.pci().exists(address) ? List.of(address) : List.of();
    }
    return devices.pci().functions(id.length() == 5 ? "0000:" + id : id);
  }

  /**
   * parse_hostpci: {@code mdev=nvidia-N} on a device with the nvidia sysfs directory becomes {@code
   * nvidia=N}.
   */
  private Optional<String> nvidiaModel(Hostpci h, List<PciAddress> first) {
    Matcher m = NVIDIA_MDEV.matcher(h.mdev().orElse(""));
    boolean nvidiaDevice =
        first.size() == 1
            && !devices.mdev().isParent(first.get(0))
            && devices.nvidia().hasNvidiaDirectory(first.get(0));
    return m.matches() && nvidiaDevice ? Optional.of(m.group(1)) : Optional.empty();
  }

  private Optional<String> parseHostpci(Entry e) {
    return e.multifunction() && e.h().mdev().isPresent()
        ? Optional.of("cannot use mediated device with multifunction device")
        : Optional.empty();
  }

  private Optional<String> parseHostpciDevices(Entry e) {
    if (!q35 && e.h().pcie()) {
      return Optional.of(NOT_Q35);
    }
    return "1".equals(e.h().options().get("legacy-igd")) ? legacyIgd(e) : Optional.empty();
  }

  private Optional<String> legacyIgd(Entry e) {
    Hostpci h = e.h();
    boolean second = legacyIgdSeen;
    legacyIgdSeen = true;
    String refusal =
        second
            ? "only one device can be assigned in legacy-igd mode"
            : !config.get("vga").filter("none"::equals).isPresent()
                ? "legacy IGD assignment requires VGA mode to be 'none'"
                : !h.rombar()
                    ? "legacy IGD assignment requires rombar to be enabled"
                    : h.xVga()
                        ? "legacy IGD assignment is not compatible with x-vga"
                        : h.mdev().isPresent()
                            ? "legacy IGD assignment is not compatible with mdev"
                            : q35
                                ? "legacy IGD assignment is not compatible with q35"
                                : e.multifunction()
                                    ? "legacy IGD assignment is not compatible with multifunction devices"
                                    : e.alternatives().size() > 1
                                        ? "legacy IGD assignment is not compatible with alternate devices"
                                        : !e.alternatives()
                                                .get(0)
                                                .get(0)
                                                .toString()
                                                .endsWith("02.0")
                                            ? "legacy IGD assignment only works for devices on host bus 00:02.0"
                                            : null;
    return Optional.ofNullable(refusal);
  }

  /**
   * choose_hostpci_devices as in a dry run: no reservations, but each function used once per VM.
   */
  private Optional<String> choose(Entry e) {
    if (e.classicMdev()) {
      return Optional.empty();
    }
    if (e.alternatives().size() == 1) {
      List<PciAddress> only = e.alternatives().get(0);
      for (PciAddress id : only) {
        if (!used.add(id)) {
          return Optional.of("device '" + id + "' assigned more than once");
        }
      }
      return e.nvidia().flatMap(model -> createNvidiaDevice(only.get(0), model));
    }
    for (List<PciAddress> alternative : e.alternatives()) {
      boolean free = alternative.stream().noneMatch(used::contains);
      if (free
          && e.nvidia().flatMap(model -> createNvidiaDevice(alternative.get(0), model)).isEmpty()) {
        used.addAll(alternative);
        return Optional.empty();
      }
    }
    return Optional.of("could not find a free device for 'hostpci" + e.h().index() + "'");
  }

  /**
   * PCI::Mdev::create_nvidia_device: a VF already set to the model is kept; a free one (type 0)
   * must list it as creatable. A VF set to another type is reset by qemu-server first, which only
   * the start can tell.
   */
  private Optional<String> createNvidiaDevice(PciAddress vf, String model) {
    if (!devices.nvidia().hasVfInterface(vf)) {
      return Optional.of("no nvidia sysfs api for '" + vf + "'");
    }
    int current = devices.nvidia().currentType(vf);
    if (current == Integer.parseInt(model) || current != 0) {
      return Optional.empty();
    }
    boolean creatable =
        devices.nvidia().creatable(vf).stream().anyMatch(t -> String.valueOf(t.id()).equals(model));
    return creatable
        ? Optional.empty()
        : Optional.of("vgpu type '" + model + "' not available for '" + vf + "'");
  }

  /** prepare_pci_device for a classic mdev, through pci_create_mdev_device (on a single device). */
  private Optional<String> prepare(Entry e) {
    if (!e.classicMdev() || e.alternatives().size() > 1) {
      return Optional.empty();
    }
    PciAddress parent = e.alternatives().get(0).get(0);
    String type = e.h().mdev().get();
    if (!devices.mdev().isParent(parent)) {
      // qemu-server's message ends in a space before its newline
      return Optional.of("pci device '" + parent + "' does not support mediated devices");
    }
    Optional<MdevTypeInfo> info =
        devices.mdev().types(parent).stream()
            .filter(t -> t.type().value().equals(type))
            .findFirst();
    if (info.isEmpty()) {
      return Optional.of("pci device '" + parent + "' has no type '" + type + "'");
    }
    boolean exists = devices.mdev().instance(Uuid.proxmox(vmid, e.h().index())).isPresent();
    return !exists && info.get().availableInstances() < 1
        ? Optional.of("pci device '" + parent + "' has no available instances of '" + type + "'")
        : Optional.empty();
  }
}
