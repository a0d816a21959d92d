package dev.guesthook.devices;

import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;

/** A mediated device instance: its UUID, the parent device it is carved from, and its type. */
public record MdevInstance(Uuid uuid, PciAddress parent, MdevType type) {
  /** "VM 201 hostpci0" when the UUID follows the Proxmox scheme, else the UUID. */
  public String owner() {
    return uuid.proxmoxOwner()
        .map(
            o ->
                "VM "
                    + o.vmid()
                    + (o.index() < 1000
                        ? " hostpci" + o.index()
                        : " (guesthook mdev " + (o.index() - 1000) + ")"))
        .orElse(uuid.value());
  }
}
