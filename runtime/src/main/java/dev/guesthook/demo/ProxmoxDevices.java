package dev.guesthook.demo;

import dev.guesthook.devices.Devices;
import dev.guesthook.id.VmId;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import dev.guesthook.pve.Hostpci;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import java.util.function.Consumer;

/**
 * What qemu-server itself does with a VM's {@code hostpciN: ...,mdev=TYPE} devices, so the demo's
 * hooks meet the host Proxmox leaves them: the instance is made at start ({@code prepare_pci_device},
 * or {@code create_nvidia_device} on a vGPU 17 VF) and removed at stop ({@code cleanup_pci_devices}),
 * except that an NVIDIA mdev the driver still holds is left behind, which the mdev hook then removes.
 */
final class ProxmoxDevices {
  private final Devices devices;
  private final Consumer<String> narrate;

  ProxmoxDevices(HostPort host, Consumer<String> narrate) {
    this.devices = new Devices(host);
    this.narrate = narrate;
  }

  void start(VmId vmid, VmConfig config) throws PveFileException {
    for (Hostpci h : Hostpci.of(config)) {
      if (h.mdev().isEmpty() || h.functions().isEmpty()) {
        continue;
      }
      PciAddress device = h.functions().get(0);
      String type = h.mdev().get();
      if (devices.nvidia().hasVfInterface(device)) {
        devices.nvidia().assignTo(device, type);
        narrate.accept("   [proxmox] create_nvidia_device: vGPU type " + type + " on VF " + device);
      } else {
        devices.mdev().create(device, type, Uuid.proxmox(vmid, h.index()));
        narrate.accept("   [proxmox] prepare_pci_device: mdev " + Uuid.proxmox(vmid, h.index()) + " (" + type + ")");
      }
    }
  }

  void stop(VmId vmid, VmConfig config) throws PveFileException {
    for (Hostpci h : Hostpci.of(config)) {
      if (h.mdev().isEmpty() || h.functions().isEmpty()) {
        continue;
      }
      PciAddress device = h.functions().get(0);
      Uuid uuid = Uuid.proxmox(vmid, h.index());
      if (devices.nvidia().hasVfInterface(device)) {
        narrate.accept("   [proxmox] cleanup_pci_devices: " + device + " still reports its vGPU type after 10 tries;"
            + " it is left set");
        continue;
      }
      if (devices.pci().info(device).vendor() == 0x10de) {
        narrate.accept("   [proxmox] cleanup_pci_devices: the NVIDIA driver still holds " + uuid + "; it is left behind");
      } else if (devices.mdev().remove(uuid)) {
        narrate.accept("   [proxmox] cleanup_pci_devices: removed mdev " + uuid);
      }
    }
  }
}
