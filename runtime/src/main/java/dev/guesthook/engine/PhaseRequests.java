package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.devices.Ledger;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.hookapi.ProxmoxHookApi;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.tree.OwnStateGuard;
import dev.guesthook.pve.ConfigLockGuard;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one place the engine builds what travels to a phase's hooks: a phase, a replay and {@code
 * check}'s dry pre-start all hand their hooks the same kind of request, timed and logged as the
 * settings say, and the same guarded port: no {@code qm set} of their own guest (Proxmox holds its
 * config lock while the hookscript runs), no file of guesthook's own locks or journals opened. A
 * replay guarded otherwise than the live phase agreed with recordings of what the phase now
 * refuses, and {@code check} passed what the pre-start refuses (adversary pass).
 */
final class PhaseRequests {
  private PhaseRequests() {}

  /**
   * @param ledger where the guest's device operations lock devices and note their changes; {@link
   *     Ledger#NONE} for a phase whose changes are neither locked nor noted
   */
  static PhaseRequest of(
      LifecycleEvent event,
      HostPort host,
      Settings settings,
      Consumer<HookLine> output,
      Function<String, Map<String, Object>> hookSettings,
      boolean dryRun,
      Ledger ledger) {
    return new PhaseRequest(
        event,
        new ConfigLockGuard(new OwnStateGuard(host), event.vmid()),
        settings.hookTimeout(),
        settings.logLevel(),
        output,
        hookSettings,
        dryRun,
        ProxmoxHookApi.services(ledger),
        () -> false);
  }
}
