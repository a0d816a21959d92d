package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.devices.Ledger;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.hookapi.ProxmoxHookApi;
import dev.guesthook.host.HostPort;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one place the engine builds what travels to a phase's hooks: a phase, a replay and {@code
 * check}'s dry pre-start all hand their hooks the same kind of request, timed and logged as the
 * settings say.
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
        host,
        settings.hookTimeout(),
        settings.logLevel(),
        output,
        hookSettings,
        dryRun,
        ProxmoxHookApi.services(ledger),
        () -> false);
  }
}
