package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.Dispatcher;
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
import dev.guesthook.id.VmId;
import dev.guesthook.record.EventDispatcher;
import dev.guesthook.record.RecordingException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Replays recorded events: each VM's hooks are loaded once, then every event is dispatched on the
 * host the caller gives (the recording's answers), with the settings the hooks had then. Nothing is
 * recorded again, and no host of this node is needed. Close it when the replay is done.
 *
 * <p>Events of one VM run one at a time, in the order they are given: each carries its own host
 * answers (a hook's {@code state} too is read through the host), but a hook file's own variables
 * live as long as its VM's loaded hooks, as in {@code serve}, so the order of one VM's events may
 * matter to it. Events of different VMs run side by side.
 */
public final class ReplaySession implements EventDispatcher {
  /** One VM's hooks, loaded once, and its latest event, after which the next one runs. */
  private record Guest(HookCatalog catalog, Dispatcher dispatcher, Future<?> latest) {}

  private final Settings settings;
  private final ResidentHooks hooks;
  private final Map<VmId, Guest> guests = new ConcurrentHashMap<>();

  public ReplaySession(Vertx vertx, Settings settings) {
    this.settings = settings;
    this.hooks = ResidentHooks.loadedOnce(vertx, settings);
  }

  /**
   * Blocking the first time a VM is seen (its hooks are loaded, maybe compiled): call it from a
   * worker thread. The settings are typed here, on the caller's thread: a record whose settings no
   * hook accepts fails at once, as a {@link RecordingException} the replayer reports as a bad
   * record. The phase itself runs after the VM's previous event has ended.
   */
  @Override
  public List<String> hooksOf(LifecycleEvent event) {
    return phaseHooks(guestOf(event), event.phase()).map(Hook::name).toList();
  }

  @Override
  public Future<DispatchResult> dispatch(
      LifecycleEvent event,
      HostPort replayHost,
      Function<String, Map<String, Object>> settingsOf,
      Predicate<String> replayed) {
    Guest guest = guestOf(event);
    Map<String, Map<String, Object>> typed;
    try {
      typed = typedAsRecorded(guest.catalog(), event.phase(), settingsOf);
    } catch (RecordingException e) {
      return Future.failedFuture(e);
    }
    PhaseRequest request = replayRequest(event, replayHost, typed);
    Dispatcher dispatcher = replaying(guest, event.phase(), replayed);
    Future<DispatchResult> result =
        guest.latest().transform(previous -> dispatcher.dispatch(request));
    guests.put(event.vmid(), new Guest(guest.catalog(), guest.dispatcher(), result));
    return result;
  }

  private Guest guestOf(LifecycleEvent event) {
    return guests.computeIfAbsent(event.vmid(), this::loaded);
  }

  private static Stream<Hook> phaseHooks(Guest guest, Phase phase) {
    return guest.catalog().hooks().stream().filter(hook -> hook.phases().contains(phase));
  }

  /**
   * The VM's dispatcher, or, when the recording predates some of the phase's hooks, one of only the
   * hooks it recorded (a few list entries; the hooks stay compiled and loaded).
   */
  private static Dispatcher replaying(Guest guest, Phase phase, Predicate<String> replayed) {
    if (phaseHooks(guest, phase).allMatch(hook -> replayed.test(hook.name()))) {
      return guest.dispatcher();
    }
    return Dispatcher.of(
        guest.catalog().hooks().stream().filter(hook -> replayed.test(hook.name())).toList());
  }

  private Guest loaded(VmId vmid) {
    HookCatalog catalog = hooks.catalog(vmid);
    return new Guest(catalog, hooks.dispatcher(vmid, catalog), Future.succeededFuture());
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
        typed.put(hook.name(), typedAsRecorded(hook, settingsOf.apply(hook.name())));
      }
    }
    return typed;
  }

  private static Map<String, Object> typedAsRecorded(Hook hook, Map<String, Object> recorded) {
    SettingsSchema schema = HookCatalog.settingsOf(hook);
    try {
      return GuestSettings.typedFromRecording(
          hook.name(), schema, recorded, "the recorded settings");
    } catch (SettingsException e) {
      throw new RecordingException(e.getMessage());
    }
  }
}
