package dev.guesthook.pve;

import dev.guesthook.id.VmId;

/**
 * A phase refused because the VM's QEMU runs: devices a running QEMU holds are not taken from it.
 * Exit 2 like any guest that cannot be acted on; nothing has changed.
 */
public final class GuestRunningException extends PveFileException {
  public GuestRunningException(VmId vmid, String phase, Pve.Running running) {
    super(
        "VM "
            + vmid
            + " is running ("
            + running.why()
            + "): "
            + phase
            + " refused, nothing changed; Proxmox runs "
            + phase
            + " only while QEMU is not running. Fix: "
            + (running.certain()
                ? "stop the VM first"
                : "if no QEMU of VM " + vmid + " runs, remove /run/qemu-server/" + vmid + ".pid")
            + ", or add --force if you really mean to act under the running QEMU");
  }
}
