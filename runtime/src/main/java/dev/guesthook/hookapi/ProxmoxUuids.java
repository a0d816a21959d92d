package dev.guesthook.hookapi;

import dev.guesthook.id.Uuid;
import dev.guesthook.id.VmId;

/**
 * {@code proxmoxUuid(index)} in hooks: the UUID Proxmox gives the mdev of this VM's hostpci{@code
 * index}.
 */
public record ProxmoxUuids(VmId vmid) {
  public Uuid call(int index) {
    return Uuid.proxmox(vmid, index);
  }
}
