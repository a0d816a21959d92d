package dev.guesthook.core.dispatch;

import dev.guesthook.core.event.HookEvent;
import dev.guesthook.host.HostPort;
import java.time.Duration;
import java.util.Map;
import java.util.function.BooleanSupplier;
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
    HookServices services,
    BooleanSupplier unheard) {

  /**
   * The same request, {@code unheard} saying when its outcome can no longer reach whoever asked for
   * it: a pre-start found so when its hooks are done is taken back as a failed one is.
   */
  public PhaseRequest unheardWhen(BooleanSupplier unheard) {
    return new PhaseRequest(
        event, host, defaultTimeout, logLevel, output, settings, dryRun, services, unheard);
  }

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
    this(
        event,
        host,
        defaultTimeout,
        logLevel,
        output,
        settings,
        dryRun,
        HookServices.NONE,
        () -> false);
  }

  Map<String, Object> settingsFor(String hookName) {
    return settings.apply(hookName);
  }
}
