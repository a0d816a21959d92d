package dev.guesthook.guest;

import dev.guesthook.core.event.HookEvent;
import dev.guesthook.core.event.Phase;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.VmConfig;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
    Optional<String> migratedFrom)
    implements HookEvent {
  /** The phases Proxmox runs in its start task, where it sets PVE_MIGRATED_FROM. */
  private static final Set<Phase> START_TASK_PHASES = EnumSet.of(Phase.PRE_START, Phase.POST_START);

  /** The event the core dispatched, which for guesthook is always a guest's lifecycle event. */
  public static LifecycleEvent of(HookEvent event) {
    return (LifecycleEvent) event;
  }

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

  /**
   * What Proxmox adds to the caller's environment, in every mode (a resident runtime's own
   * environment is a service's, not a start task's): PVE::GuestHelpers::exec_hookscript runs the
   * file through PVE::Tools::run_command (PVE::Cmd::run), which sets LC_ALL=C and
   * LVM_SUPPRESS_FD_WARNINGS=1 and clears nothing; qemu-server's vm_start sets PVE_MIGRATED_FROM
   * before pre-start (empty unless the guest is migrating in), and post-start runs in that same
   * task.
   */
  @Override
  public Map<String, String> executableEnvironment() {
    Map<String, String> environment = new LinkedHashMap<>();
    environment.put("LC_ALL", "C");
    environment.put("LVM_SUPPRESS_FD_WARNINGS", "1");
    if (START_TASK_PHASES.contains(phase)) {
      environment.put("PVE_MIGRATED_FROM", migratedFrom.orElse(""));
    }
    return environment;
  }
}
