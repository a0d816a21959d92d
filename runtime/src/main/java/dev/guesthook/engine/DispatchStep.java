package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.Dispatcher;
import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.hookhost.HookCatalog;
import io.vertx.core.Future;
import java.util.Optional;

/**
 * Step 4 of a phase: tells the listener the phase starts, then runs its hooks, on the phase's own
 * thread, with the dispatcher the resident hooks keep or with one made for this phase alone.
 */
final class DispatchStep {
  /** A phase its hooks ran, with what it was prepared from. */
  record Dispatched(PreparedPhase prepared, DispatchResult result) {}

  private final Settings settings;
  private final Optional<ResidentHooks> residentHooks;

  DispatchStep(Settings settings, Optional<ResidentHooks> residentHooks) {
    this.settings = settings;
    this.residentHooks = residentHooks;
  }

  Future<Dispatched> dispatch(PreparedPhase prepared, PhaseListener listener) {
    announce(prepared, listener);
    PhaseRequest request =
        PhaseRequests.of(
                prepared.event(),
                prepared.host(),
                settings,
                listener::hookLine,
                prepared.hookSettings()::of,
                settings.dryRun(),
                prepared.ledger())
            .unheardWhen(listener::unheard);
    return dispatcherOf(prepared)
        .dispatchHere(request)
        .map(dispatched -> new Dispatched(prepared, dispatched));
  }

  private Dispatcher dispatcherOf(PreparedPhase prepared) {
    return residentHooks
        .map(hooks -> hooks.dispatcher(prepared.event().vmid(), prepared.catalog()))
        .orElseGet(() -> Dispatcher.of(prepared.catalog().hooks()));
  }

  private static void announce(PreparedPhase prepared, PhaseListener listener) {
    Phase phase = prepared.event().phase();
    listener.started(
        prepared.event(),
        (int)
            prepared.catalog().hooks().stream()
                .filter(hook -> hook.phases().contains(phase))
                .count());
    prepared.catalog().notices().stream()
        .filter(notice -> notice.severity() == HookCatalog.Severity.KEPT_PREVIOUS)
        .forEach(
            notice ->
                listener.line("guesthook: warning: " + notice.file() + ": " + notice.message()));
  }
}
