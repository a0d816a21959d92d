package dev.guesthook.check;

import dev.guesthook.devices.PciDevices;
import dev.guesthook.pve.Hostpci;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What qemu-server refuses when it starts a VM whose {@code hostpciN} entries it has read: the checks of
 * {@code parse_hostpci} and {@code parse_hostpci_devices} (PVE::QemuServer::PCI), in their order, each
 * entry's first refusal as a fail line with qemu-server's own message.
 */
final class HostpciStartRefusals {
  private final VmConfig config;
  private final PciDevices pci;
  private final boolean q35;
  private boolean legacyIgdSeen;

  private HostpciStartRefusals(VmConfig config, PciDevices pci) throws PveFileException {
    this.config = config;
    this.pci = pci;
    this.q35 = config.machine().isQ35();
  }

  static List<CheckItem> of(VmConfig config, List<Hostpci> entries, PciDevices pci) throws PveFileException {
    HostpciStartRefusals rules = new HostpciStartRefusals(config, pci);
    List<CheckItem> out = new ArrayList<>();
    for (Hostpci h : entries) {
      rules.refusal(h).ifPresent(why -> out.add(CheckItem.fail("hostpci" + h.index(), "Proxmox refuses the start: " + why)));
    }
    return out;
  }

  private Optional<String> refusal(Hostpci h) {
    boolean multifunction = functionCount(h) > 1;
    if (multifunction && h.mdev().isPresent()) {
      return Optional.of("cannot use mediated device with multifunction device");
    }
    if (!q35 && h.pcie()) {
      return Optional.of("q35 machine model is not enabled");
    }
    return "1".equals(h.options().get("legacy-igd")) ? legacyIgd(h, multifunction) : Optional.empty();
  }

  /** The functions the entry passes: a slot counts every function the host has in it (qemu-server's lspci). */
  private int functionCount(Hostpci h) {
    return h.functions().size() + h.slots().stream().mapToInt(slot -> pci.functions(slot).size()).sum();
  }

  private Optional<String> legacyIgd(Hostpci h, boolean multifunction) {
    boolean second = legacyIgdSeen;
    legacyIgdSeen = true;
    String refusal = second ? "only one device can be assigned in legacy-igd mode"
        : !config.get("vga").filter("none"::equals).isPresent() ? "legacy IGD assignment requires VGA mode to be 'none'"
        : !h.rombar() ? "legacy IGD assignment requires rombar to be enabled"
        : h.xVga() ? "legacy IGD assignment is not compatible with x-vga"
        : h.mdev().isPresent() ? "legacy IGD assignment is not compatible with mdev"
        : q35 ? "legacy IGD assignment is not compatible with q35"
        : multifunction ? "legacy IGD assignment is not compatible with multifunction devices"
        : !firstFunction(h).endsWith("02.0") ? "legacy IGD assignment only works for devices on host bus 00:02.0"
        : null;
    return Optional.ofNullable(refusal);
  }

  /** The first function qemu-server finds for the first ID (a slot's is {@code .0}); a mapping's is not known here. */
  private static String firstFunction(Hostpci h) {
    return h.ids().isEmpty() ? "02.0" : h.ids().get(0).contains(".") ? h.ids().get(0) : h.ids().get(0) + ".0";
  }
}
