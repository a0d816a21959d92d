package dev.guesthook.dispatch;

import dev.guesthook.event.LifecycleEvent;
import dev.guesthook.host.HostPort;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What travels on a phase's event-bus address: the event and the context to run its hooks in. It is
 * passed by reference (local codec), never serialised.
 */
public record PhaseRequest(
    LifecycleEvent event,
    HostPort host,
    Duration defaultTimeout,
    HookLog.Level logLevel,
    Consumer<String> output,
    Function<String, Map<String, Object>> settings,
    boolean dryRun) {

  Map<String, Object> settingsFor(String hookName) {
    return settings.apply(hookName);
  }
}
