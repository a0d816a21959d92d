package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;

/**
 * What a phase of a guest starts from: its event, built from the guest's config as Proxmox has it.
 */
final class GuestPhase {
  private GuestPhase() {}

  static LifecycleEvent event(
      Pve pve, String node, VmId vmid, Phase phase, Instant time, Optional<String> migratedFrom)
      throws PveFileException {
    // Look the guest type up once; pve.config(vmid) only runs to produce the "no config" error.
    Optional<GuestType> found = pve.guestType(vmid);
    VmConfig config = found.isPresent() ? pve.config(found.get(), vmid) : pve.config(vmid);
    GuestType type = found.orElse(GuestType.QEMU);
    return new LifecycleEvent(
        vmid,
        phase,
        type,
        node,
        time,
        config,
        LifecycleEvent.situationOf(phase, config, migratedFrom),
        migratedFrom);
  }

  /** The node's name: the setting, else the host's /etc/hostname, else the system's host name. */
  static String nodeName(Pve pve, Settings settings) {
    return namedNode(pve, settings).orElseGet(GuestPhase::hostName);
  }

  /** The node's name as the setting or /etc/hostname gives it; empty when neither does. */
  static Optional<String> namedNode(Pve pve, Settings settings) {
    return settings.node().or(pve::nodeName);
  }

  /** The system's host name, the last resort: when /etc/hostname is absent or not a node name. */
  static String hostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      int dot = name.indexOf('.');
      return dot > 0 ? name.substring(0, dot) : name;
    } catch (IOException e) {
      return "localhost";
    }
  }
}
