package dev.guesthook.pve;

import dev.guesthook.id.VmId;

/**
 * A phase refused because the VM's QEMU runs: devices a running QEMU holds are not taken from it.
 * Exit 2 like any guest that cannot be acted on; nothing has changed.
 */
public final class GuestRunningException extends PveFileException {
  /** {@code why}: as {@link Pve#whyRunning} says it. */
  public GuestRunningException(VmId vmid, String phase, String why) {
    super("VM " + vmid + " is running (" + why + "): " + phase
        + " refused, nothing changed; Proxmox runs " + phase + " only while QEMU is not running."
        + " Fix: stop the VM first, or add --force if you really mean to act under the running QEMU");
  }
}
