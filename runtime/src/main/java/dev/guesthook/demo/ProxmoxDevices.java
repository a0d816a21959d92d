package dev.guesthook.demo;

import dev.guesthook.devices.Devices;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.Hostpci;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import java.util.function.Consumer;

/**
 * What qemu-server itself does with a VM's {@code hostpciN: ...,mdev=TYPE} devices, so the demo's
 * hooks meet the host Proxmox leaves them: the instance is made at start ({@code
 * prepare_pci_device}, or {@code create_nvidia_device} on a vGPU 17 VF) and removed at stop ({@code
 * cleanup_pci_devices}). Since qemu-server 9.1.13 {@code vm_stop_cleanup} runs that cleanup and
 * then the post-stop hookscript, once, after QEMU has exited; so post-stop finds Proxmox's devices
 * gone. Only a removal the driver refuses leaves one behind, for the mdev hook to remove.
 */
final class ProxmoxDevices {
  private static final int NVIDIA = 0x10de;
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
        narrate.accept(
            "   [proxmox] prepare_pci_device: mdev "
                + Uuid.proxmox(vmid, h.index())
                + " ("
                + type
                + ")");
      }
    }
  }

  /** cleanup_pci_devices as qemu-server 9.2.6 runs it, with its own messages. */
  void stop(VmId vmid, VmConfig config) throws PveFileException {
    for (Hostpci h : Hostpci.of(config)) {
      if (h.mdev().isEmpty() || h.functions().isEmpty()) {
        continue;
      }
      PciAddress device = h.functions().get(0);
      if (devices.nvidia().hasVfInterface(device)) {
        // its reserved VFs: current_vgpu_type written 0 until it reads 0 (10 tries)
        devices.nvidia().release(device);
        narrate.accept(
            "   [proxmox] cleanup_pci_devices: vGPU type of " + device + " set back to 0");
      } else {
        removeMdev(Uuid.proxmox(vmid, h.index()), devices.pci().info(device).vendor() == NVIDIA);
      }
    }
  }

  /**
   * Some NVIDIA drivers remove their mdevs themselves: qemu-server waits up to 10 s, then removes
   * it.
   */
  private void removeMdev(Uuid uuid, boolean nvidia) {
    if (devices.mdev().instance(uuid).isEmpty()) {
      return;
    }
    if (nvidia) {
      narrate.accept(
          "   [proxmox] waited 10 seconds for mediated device driver finishing clean up");
    }
    narrate.accept("   [proxmox] actively clean up mediated device with UUID " + uuid);
    devices.mdev().remove(uuid);
  }
}
