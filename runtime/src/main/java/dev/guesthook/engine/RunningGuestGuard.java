package dev.guesthook.engine;

import dev.guesthook.core.event.Phase;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestRunningException;
import dev.guesthook.pve.Pve;
import java.util.Optional;

/**
 * Before anything else of a phase: Proxmox runs pre-start before QEMU starts and post-stop after it
 * ended; run by hand under a running QEMU they would take its devices from it, or save its devices'
 * state as "before". They are refused then, unless forced.
 */
final class RunningGuestGuard {
  private final HostPort host;

  RunningGuestGuard(HostPort host) {
    this.host = host;
  }

  void refuse(VmId vmid, Phase phase, boolean evenIfRunning, PhaseListener listener)
      throws GuestRunningException {
    boolean changesDevices = phase == Phase.PRE_START || phase == Phase.POST_STOP;
    if (!changesDevices) {
      return;
    }
    Optional<Pve.Running> running = new Pve(host).whyRunning(vmid);
    if (running.isPresent() && evenIfRunning) {
      listener.line(
          "guesthook: --force: VM "
              + vmid
              + " is running ("
              + running.get().why()
              + "); "
              + phase.wireName()
              + " goes on as asked");
    } else if (running.isPresent()) {
      throw new GuestRunningException(vmid, phase.wireName(), running.get());
    }
  }
}
