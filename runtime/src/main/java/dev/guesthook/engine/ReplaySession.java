package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.settings.GuestSettings;
import dev.guesthook.core.settings.SettingsException;
import dev.guesthook.core.settings.SettingsSchema;
import dev.guesthook.devices.Ledger;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostPort;
import dev.guesthook.record.EventDispatcher;
import dev.guesthook.record.RecordingException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Replays recorded events: each VM's hooks are loaded and put on the event bus once, then every
 * event is dispatched on the host the caller gives (the recording's answers), with the settings the
 * hooks had then. Nothing is recorded again, and no host of this node is needed. Close it to take
 * the hooks off the bus.
 */
public final class ReplaySession implements EventDispatcher {
  private final Vertx vertx;
  private final Settings settings;
  private final ResidentHooks hooks;

  public ReplaySession(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.hooks = ResidentHooks.loadedOnce(vertx, settings);
  }

  /**
   * The settings are typed before the phase is dispatched: a record whose settings no hook accepts
   * fails here at once, as a {@link RecordingException} the replayer reports as a bad record.
   */
  @Override
  public Future<DispatchResult> dispatch(
      LifecycleEvent event, HostPort replayHost, Function<String, Map<String, Object>> settingsOf) {
    return vertx
        .executeBlocking(() -> hooks.catalog(event.vmid()), false)
        .compose(
            catalog ->
                vertx
                    .executeBlocking(
                        () -> typedAsRecorded(catalog, event.phase(), settingsOf), false)
                    .compose(
                        typed ->
                            hooks
                                .dispatcher(event.vmid(), catalog)
                                .compose(
                                    dispatcher ->
                                        dispatcher.dispatch(
                                            replayRequest(event, replayHost, typed)))));
  }

  private PhaseRequest replayRequest(
      LifecycleEvent event, HostPort replayHost, Map<String, Map<String, Object>> typed) {
    return PhaseRequests.of(
        event,
        replayHost,
        settings,
        line -> {}, // a replay's hook log is not shown; its comparison is
        hook -> typed.getOrDefault(hook, Map.of()),
        false,
        Ledger.NONE);
  }

  @Override
  public void close() throws Exception {
    hooks.close();
  }

  /** A recording holds settings as written; the phase's hooks get them typed, as they did then. */
  private Map<String, Map<String, Object>> typedAsRecorded(
      HookCatalog catalog, Phase phase, Function<String, Map<String, Object>> settingsOf) {
    Map<String, Map<String, Object>> typed = new HashMap<>();
    for (Hook hook : catalog.hooks()) {
      if (hook.phases().contains(phase)) {
        typed.put(
            hook.name(), typedAsRecorded(catalog, hook.name(), settingsOf.apply(hook.name())));
      }
    }
    return typed;
  }

  private Map<String, Object> typedAsRecorded(
      HookCatalog catalog, String hook, Map<String, Object> recorded) {
    SettingsSchema schema = catalog.settingsSchemas().getOrDefault(hook, SettingsSchema.UNCHECKED);
    try {
      return GuestSettings.typedFromRecording(hook, schema, recorded, "the recorded settings");
    } catch (SettingsException e) {
      throw new RecordingException(e.getMessage());
    }
  }
}
