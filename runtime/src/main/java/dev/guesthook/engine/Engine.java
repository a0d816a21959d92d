package dev.guesthook.engine;

import dev.guesthook.yaml.ConfigException;
import dev.guesthook.config.Settings;
import dev.guesthook.core.settings.GuestSettings;
import dev.guesthook.core.settings.SettingsException;
import dev.guesthook.core.settings.SettingsSchema;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.Dispatcher;
import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.core.event.Phase;
import dev.guesthook.id.VmId;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.hookhost.HookLoader;
import dev.guesthook.hookapi.ProxmoxHookApi;
import dev.guesthook.pve.ConfigLockGuard;
import dev.guesthook.host.sim.DryRunHost;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.pve.GuestRunningException;
import dev.guesthook.pve.Pve;
import dev.guesthook.record.EventDispatcher;
import dev.guesthook.record.Recorder;
import dev.guesthook.record.RecordingException;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.devices.Ledger;
import dev.guesthook.journal.Journals;
import dev.guesthook.journal.Reconciler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The one path from Proxmox's call to the host: read the guest's config through the port, build the
 * lifecycle event, load the guest's hooks, dispatch the phase over the event bus. The CLI, the demo
 * and the tests all go through here.
 */
public final class Engine {
  static final long RECORDING_MAX_BYTES = 16L * 1024 * 1024;
  static final int RECORDING_KEEP = 5;
  /**
   * How long after a successful pre-start a guest without a QEMU process counts as starting (its
   * devices are not put back): Proxmox's start can wait long for memory and PCI resets.
   */
  static final Duration START_WINDOW = Duration.ofMinutes(10);

  private final Vertx vertx;
  private final Settings settings;
  private final HostPort host;
  private final Clock clock;
  private final Journals journals;
  private ResidentHooks residentHooks;
  private boolean evenIfRunning;

  /** For a resident runtime: hooks stay loaded and on the bus between phases, reloaded when their files change. */
  public Engine resident() {
    Engine engine = new Engine(vertx, settings, host, clock);
    engine.residentHooks = keptHooks(true);
    return engine;
  }

  /**
   * For {@code --force}: pre-start and post-stop run even while the VM's QEMU runs (by hand, for the
   * rare repair that needs it); otherwise they are refused then.
   */
  public Engine evenIfRunning() {
    evenIfRunning = true;
    return this;
  }

  public Engine(Vertx vertx, Settings settings, HostPort host, Clock clock) {
    this.vertx = vertx;
    this.settings = settings;
    this.host = host;
    this.clock = clock;
    this.journals = Journals.under(settings.root(), settings.hookTimeout(), clock);
  }

  /**
   * For a resident runtime: loads and puts on the bus the hooks of every guest on this node, so that
   * the first start of each (a node booting with many onboot guests) finds them ready. Blocking;
   * returns how many guests' hooks it loaded. A guest whose hooks do not load is left to its phase,
   * which reports why.
   */
  public int preloadHooks() {
    if (residentHooks == null) {
      return 0;
    }
    int loaded = 0;
    for (VmId vmid : new Pve(host).qemuGuests()) {
      try {
        residentHooks.dispatcher(vmid, residentHooks.catalog(vmid)).toCompletionStage().toCompletableFuture().get();
        loaded++;
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    return loaded;
  }

  /** The host the settings ask for: real or simulated over the root, wrapped for a dry run. */
  public static HostPort hostFor(Settings settings) throws ConfigException {
    HostPort base;
    try {
      base = settings.simulate() ? SimulatedHost.sandbox(settings.root()) : LinuxHost.over(settings.root());
    } catch (IllegalArgumentException wrongKindOfRoot) {
      throw new ConfigException((settings.simulate() ? "--simulate: " : "--root: ") + wrongKindOfRoot.getMessage());
    }
    return settings.dryRun() ? new DryRunHost(base) : base;
  }

  public Settings settings() {
    return settings;
  }

  public HostPort host() {
    return host;
  }

  public HookLoader hookLoader() {
    return new HookLoader(settings.hookDirs(), settings.cacheDir(), settings.hookTimeout());
  }

  /**
   * Runs one phase for one guest. Fails with {@link PveFileException} when the guest's config is
   * missing or unusable, before any hook runs.
   */
  public Future<Run> run(VmId vmid, Phase phase, Optional<String> migratedFrom, PhaseListener listener) {
    if (settings.dryRun()) {
      return vertx
          .executeBlocking(() -> {
            refuseIfRunning(vmid, phase, listener);
            return prepare(vmid, phase, migratedFrom, Ledger.NONE);
          }, false)
          .compose(prepared -> dispatch(prepared, listener));
    }
    String holder = "VM " + vmid + " " + phase.wireName() + " (pid " + ProcessHandle.current().pid() + ")";
    HeldLines log = new HeldLines(listener);
    return vertx
        .executeBlocking(() -> journals.locks().acquire(Journals.guestLock(vmid), holder, phaseBound()), false)
        .compose(guestLock -> vertx
            .executeBlocking(() -> {
              refuseIfRunning(vmid, phase, log);
              if (phase == Phase.PRE_START) {
                reconcile(vmid, log); // what an earlier life of this guest left behind
              }
              return prepare(vmid, phase, migratedFrom,
                  phase == Phase.PRE_START ? journals.ledger(vmid, holder) : journals.lockingOnly(vmid, holder));
            }, false)
            .compose(prepared -> dispatch(prepared, log))
            .compose(run -> vertx.executeBlocking(() -> settle(run, log), false))
            .eventually(() -> vertx.executeBlocking(() -> {
              log.release();
              guestLock.close();
              return null;
            }, false)));
  }

  /**
   * Proxmox runs pre-start before QEMU starts and post-stop after it ended; run by hand under a
   * running QEMU they would take its devices from it, or save its devices' state as "before".
   */
  private void refuseIfRunning(VmId vmid, Phase phase, PhaseListener listener) throws GuestRunningException {
    boolean changesDevices = phase == Phase.PRE_START || phase == Phase.POST_STOP;
    if (!changesDevices) {
      return;
    }
    Optional<Pve.Running> running = new Pve(host).whyRunning(vmid);
    if (running.isPresent() && evenIfRunning) {
      listener.line("guesthook: --force: VM " + vmid + " is running (" + running.get().why() + "); "
          + phase.wireName() + " goes on as asked");
    } else if (running.isPresent()) {
      throw new GuestRunningException(vmid, phase.wireName(), running.get());
    }
  }

  /**
   * After a phase: a started guest's journal says so; after a failed pre-start or a post-stop, what
   * the hooks did not put back is put back, and then every other guest that is not running is looked at.
   */
  private Run settle(Run run, PhaseListener listener) {
    VmId vmid = run.result().event().vmid();
    Phase phase = run.result().event().phase();
    if (phase == Phase.PRE_START && !run.result().anyFailed()) {
      return notedAsStarted(run, listener);
    } else if (phase == Phase.PRE_START) {
      reconcile(vmid, listener);
    } else if (phase == Phase.POST_STOP) {
      reconciler().all(Optional.of(vmid)).forEach(result -> report(result, listener));
    }
    return run;
  }

  /**
   * Notes a successful start in the guest's journal. Without the note a reconcile could not tell the
   * starting guest from one whose start failed, and would take its devices while QEMU starts: when the
   * note cannot be written, the start is failed and what the hooks changed is put back.
   */
  private Run notedAsStarted(Run run, PhaseListener listener) {
    VmId vmid = run.result().event().vmid();
    if (journals.of(vmid).isEmpty()) {
      return run;
    }
    try {
      journals.of(vmid).started(clock.instant());
      return run;
    } catch (UncheckedIOException notNoted) {
      reconcile(vmid, listener);
      return new Run(run.result().failedAfterHooks(notNoted.getMessage() + "; the start is aborted and what the hooks"
          + " changed is put back"), run.catalog());
    }
  }

  private void reconcile(VmId vmid, PhaseListener listener) {
    report(reconciler().guest(vmid, true, true), listener);
  }

  private void report(Reconciler.GuestResult result, PhaseListener listener) {
    result.news().forEach(line -> listener.line("guesthook: " + line));
  }

  /** Puts back what guests that are not running hold, through this engine's host. */
  public Reconciler reconciler() {
    return new Reconciler(journals, host, settings.dryRun(), START_WINDOW);
  }

  /**
   * How long a phase may still be running: its hooks in sequence, each within its timeout. Another
   * phase of the same guest waits this long for it; a replaced dispatcher stays on the bus this long.
   */
  private Duration phaseBound() {
    return settings.hookTimeout().multipliedBy(4);
  }

  /** A dispatched phase with the hooks it saw (including any that failed to load). */
  public record Run(DispatchResult result, HookCatalog catalog) {}

  private record Prepared(
      LifecycleEvent event, HookCatalog catalog, HostPort host, GuestSettings hookSettings, Ledger ledger) {}

  private Prepared prepare(VmId vmid, Phase phase, Optional<String> migratedFrom, Ledger ledger)
      throws PveFileException, ConfigException {
    HostPort guarded = new ConfigLockGuard(host, vmid);
    LifecycleEvent event = GuestPhase.event(new Pve(guarded), settings, vmid, phase, clock.instant(), migratedFrom);
    settings.requireHookDirs();
    HookCatalog catalog = residentHooks != null ? residentHooks.catalog(vmid) : hookLoader().load(Optional.of(vmid));
    // Every hook's settings are checked before any hook runs: a typo fails here, with nothing changed.
    GuestSettings hookSettings = GuestPhase.hookSettings(settings, guarded, vmid, catalog);
    return new Prepared(event, catalog, guarded, hookSettings, ledger);
  }

  private Future<Run> dispatch(Prepared prepared, PhaseListener listener) {
    Phase phase = prepared.event().phase();
    listener.started(
        prepared.event(),
        (int) prepared.catalog().hooks().stream().filter(hook -> hook.phases().contains(phase)).count());
    prepared.catalog().notices().stream()
        .filter(notice -> notice.severity() == HookCatalog.Severity.KEPT_PREVIOUS)
        .forEach(notice -> listener.line("guesthook: warning: " + notice.file() + ": " + notice.message()));
    PhaseRequest request =
        new PhaseRequest(
            prepared.event(),
            prepared.host(),
            settings.hookTimeout(),
            settings.logLevel(),
            listener::hookLine,
            prepared.hookSettings()::of,
            settings.dryRun(),
            ProxmoxHookApi.services(prepared.ledger()));
    if (residentHooks != null) {
      return residentHooks.dispatcher(prepared.event().vmid(), prepared.catalog())
          .compose(dispatcher -> dispatcher.dispatch(request))
          .compose(result -> record(result, prepared, listener))
          .map(result -> new Run(result, prepared.catalog()));
    }
    return Dispatcher.start(vertx, prepared.catalog().hooks())
        .compose(
            dispatcher ->
                dispatcher
                    .dispatch(request)
                    .eventually(dispatcher::stop)
                    .compose(result -> record(result, prepared, listener))
                    .map(result -> new Run(result, prepared.catalog())));
  }

  /**
   * Replays recorded events: each VM's hooks are loaded and put on the event bus once, then every
   * event is dispatched on the host the caller gives (the recording's answers), with the settings the
   * hooks had then. Nothing is recorded again. Close it to take the hooks off the bus.
   */
  public ReplaySession replaySession() {
    return new ReplaySession();
  }

  public final class ReplaySession implements EventDispatcher {
    private final ResidentHooks hooks = keptHooks(false);

    private ReplaySession() {}

    /**
     * The settings are typed before the phase is dispatched: a record whose settings no hook accepts
     * fails here at once, as a {@link RecordingException} the replayer reports as a bad record.
     */
    @Override
    public Future<DispatchResult> dispatch(LifecycleEvent event, HostPort replayHost,
        Function<String, Map<String, Object>> settingsOf) {
      return vertx.executeBlocking(() -> hooks.catalog(event.vmid()), false)
          .compose(catalog -> vertx.executeBlocking(() -> typedAsRecorded(catalog, event.phase(), settingsOf), false)
              .compose(typed -> hooks.dispatcher(event.vmid(), catalog)
                  .compose(dispatcher -> dispatcher.dispatch(replayRequest(event, replayHost, typed)))));
    }

    private PhaseRequest replayRequest(LifecycleEvent event, HostPort replayHost, Map<String, Map<String, Object>> typed) {
      return new PhaseRequest(event, replayHost, settings.hookTimeout(), settings.logLevel(),
          line -> { }, // a replay's hook log is not shown; its comparison is
          hook -> typed.getOrDefault(hook, Map.of()), false);
    }

    @Override
    public void close() throws Exception {
      hooks.close();
    }

    /** A recording holds settings as written; the phase's hooks get them typed, as they did then. */
    private Map<String, Map<String, Object>> typedAsRecorded(HookCatalog catalog, Phase phase,
        Function<String, Map<String, Object>> settingsOf) {
      Map<String, Map<String, Object>> typed = new HashMap<>();
      for (Hook hook : catalog.hooks()) {
        if (hook.phases().contains(phase)) {
          typed.put(hook.name(), typedAsRecorded(catalog, hook.name(), settingsOf.apply(hook.name())));
        }
      }
      return typed;
    }

    private Map<String, Object> typedAsRecorded(HookCatalog catalog, String hook, Map<String, Object> recorded) {
      SettingsSchema schema = catalog.settingsSchemas().getOrDefault(hook, SettingsSchema.UNCHECKED);
      try {
        return GuestSettings.typedFromRecording(hook, schema, recorded, "the recorded settings");
      } catch (SettingsException e) {
        throw new RecordingException(e.getMessage());
      }
    }
  }

  private ResidentHooks keptHooks(boolean watch) {
    return new ResidentHooks(vertx, hookLoader(), settings.hookDirs(), phaseBound(), watch);
  }

  /** Every real or simulated phase is recorded; a dry run changed nothing, so there is nothing to keep. */
  private Future<DispatchResult> record(DispatchResult result, Prepared prepared, PhaseListener listener) {
    if (settings.dryRun()) {
      return Future.succeededFuture(result);
    }
    Recorder recorder = new Recorder(settings.recordingDir(), RECORDING_MAX_BYTES, RECORDING_KEEP,
        warning -> listener.line("guesthook: warning: " + warning));
    return vertx.executeBlocking(() -> {
      recorder.record(result, new TreeMap<>(prepared.hookSettings().given()));
      return result;
    }, false);
  }


}
