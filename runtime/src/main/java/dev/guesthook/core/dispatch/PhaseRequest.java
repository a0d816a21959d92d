package dev.guesthook.core.dispatch;

import dev.guesthook.core.event.HookEvent;
import dev.guesthook.host.HostPort;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a phase gives the dispatcher: the event and the context to run its hooks in. It is passed by
 * reference, never serialised. The services are the domain's, opaque here (e.g. the ledger where a
 * guest's device operations lock devices and note their changes).
 */
public record PhaseRequest(
    HookEvent event,
    HostPort host,
    Duration defaultTimeout,
    HookLog.Level logLevel,
    Consumer<HookLine> output,
    Function<String, Map<String, Object>> settings,
    boolean dryRun,
    HookServices services) {

  /**
   * A phase without services: dry runs, replays, benchmarks (device changes neither locked nor
   * noted).
   */
  public PhaseRequest(
      HookEvent event,
      HostPort host,
      Duration defaultTimeout,
      HookLog.Level logLevel,
      Consumer<HookLine> output,
      Function<String, Map<String, Object>> settings,
      boolean dryRun) {
    this(event, host, defaultTimeout, logLevel, output, settings, dryRun, HookServices.NONE);
  }

  Map<String, Object> settingsFor(String hookName) {
    return settings.apply(hookName);
  }
}
