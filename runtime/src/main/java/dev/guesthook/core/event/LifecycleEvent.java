package dev.guesthook.core.event;

import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestType;

import dev.guesthook.pve.VmConfig;
import java.time.Instant;
import java.util.Optional;

/**
 * One call of Proxmox's hookscript: which guest, which phase, on which node, when, with the guest's
 * config as it was read at that moment, and what is really happening behind the phase.
 */
public record LifecycleEvent(
    VmId vmid,
    Phase phase,
    GuestType guestType,
    String node,
    Instant time,
    VmConfig config,
    Situation situation,
    Optional<String> migratedFrom) {

  /**
   * Works out what is happening from what Proxmox leaves behind: PVE_MIGRATED_FROM for an incoming
   * migration, vmstate + lock: suspended for a resume (pre-start) or a hibernation (post-stop).
   */
  public static Situation situationOf(Phase phase, VmConfig config, Optional<String> migratedFrom) {
    return switch (phase) {
      case PRE_START, POST_START -> {
        if (migratedFrom.isPresent()) {
          yield Situation.INCOMING_MIGRATION;
        }
        // At post-start Proxmox has already dropped vmstate and the lock of a resumed VM.
        yield config.isHibernated() ? Situation.RESUME : Situation.START;
      }
      case PRE_STOP -> Situation.STOP;
      case POST_STOP -> config.isHibernated() ? Situation.HIBERNATION : Situation.STOP;
    };
  }

  public boolean isResume() {
    return situation == Situation.RESUME;
  }

  public boolean isIncomingMigration() {
    return situation == Situation.INCOMING_MIGRATION;
  }

  public boolean isHibernation() {
    return situation == Situation.HIBERNATION;
  }
}
