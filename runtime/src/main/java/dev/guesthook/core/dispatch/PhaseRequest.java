package dev.guesthook.core.dispatch;

import dev.guesthook.devices.Ledger;
import dev.guesthook.core.event.LifecycleEvent;
import dev.guesthook.host.HostPort;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What travels on a phase's event-bus address: the event and the context to run its hooks in. It is
 * passed by reference (local codec), never serialised. The ledger is where the guest's device
 * operations lock devices and note their changes.
 */
public record PhaseRequest(
    LifecycleEvent event,
    HostPort host,
    Duration defaultTimeout,
    HookLog.Level logLevel,
    Consumer<HookLine> output,
    Function<String, Map<String, Object>> settings,
    boolean dryRun,
    Ledger ledger) {

  /** A phase whose device changes are neither locked nor noted: dry runs, replays, benchmarks. */
  public PhaseRequest(LifecycleEvent event, HostPort host, Duration defaultTimeout, HookLog.Level logLevel,
      Consumer<HookLine> output, Function<String, Map<String, Object>> settings, boolean dryRun) {
    this(event, host, defaultTimeout, logLevel, output, settings, dryRun, Ledger.NONE);
  }

  Map<String, Object> settingsFor(String hookName) {
    return settings.apply(hookName);
  }
}
