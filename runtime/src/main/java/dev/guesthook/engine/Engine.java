package dev.guesthook.engine;

import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.PhaseThreads;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.hookhost.HookLoader;
import dev.guesthook.devices.Ledger;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Journals;
import dev.guesthook.journal.Reconciler;
import dev.guesthook.lock.Locks;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;

/**
 * The one path from Proxmox's call to the host, as named steps: lock the guest, reconcile what an
 * earlier life left, prepare (config, event, hooks, settings), dispatch to the hooks, record,
 * settle. The host it runs on is given ({@code app.NodeRuntime} chooses it); the CLI, {@code
 * serve}, the demo and the tests all go through here.
 */
public final class Engine {
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
  private final Optional<ResidentHooks> residentHooks;
  private final RunningGuestGuard running;
  private final GuestLockStep lock;
  private final ReconcileStep reconcile;
  private final PrepareStep prepare;
  private final DispatchStep dispatch;
  private final RecordStep record;
  private final SettleStep settle;
  private boolean evenIfRunning;

  public Engine(Vertx vertx, Settings settings, HostPort host, Clock clock) {
    this(vertx, settings, host, clock, Optional.empty());
  }

  private Engine(
      Vertx vertx,
      Settings settings,
      HostPort host,
      Clock clock,
      Optional<ResidentHooks> residentHooks) {
    this.vertx = vertx;
    this.settings = settings;
    this.host = host;
    this.clock = clock;
    this.journals = Journals.under(settings.root(), settings.hookTimeout(), clock);
    this.residentHooks = residentHooks;
    this.running = new RunningGuestGuard(host);
    this.lock = new GuestLockStep(journals, phaseBound(settings));
    this.reconcile = new ReconcileStep(reconciler());
    this.prepare = new PrepareStep(settings, host, clock, this::hooksOf);
    this.dispatch = new DispatchStep(settings, residentHooks);
    // A resident runtime syncs a phase's recording once the phase answered; a one-shot process
    // exits after its answer, so it syncs before.
    this.record =
        new RecordStep(
            settings, residentHooks.isPresent() ? PhaseThreads::afterwards : Runnable::run);
    this.settle = new SettleStep(journals, clock, reconcile);
  }

  /** For a resident runtime: hooks stay loaded between phases, reloaded when their files change. */
  public Engine resident() {
    return new Engine(
        vertx, settings, host, clock, Optional.of(ResidentHooks.watched(vertx, settings)));
  }

  /**
   * For {@code --force}: pre-start and post-stop run even while the VM's QEMU runs (by hand, for
   * the rare repair that needs it); otherwise they are refused then.
   */
  public Engine evenIfRunning() {
    evenIfRunning = true;
    return this;
  }

  /**
   * For a resident runtime: loads the hooks of every guest on this node, so that the first start of
   * each (a node booting with many onboot guests) finds them ready. Blocking; returns how many
   * guests' hooks it loaded. A guest whose hooks do not load is left to its phase, which reports
   * why.
   */
  public int preloadHooks() {
    if (residentHooks.isEmpty()) {
      return 0;
    }
    int loaded = 0;
    for (VmId vmid : new Pve(host).qemuGuests()) {
      try {
        ResidentHooks hooks = residentHooks.get();
        hooks.dispatcher(vmid, hooks.catalog(vmid));
        loaded++;
      } catch (RuntimeException e) {
        // its phase loads them again and reports why
      }
    }
    return loaded;
  }

  public Settings settings() {
    return settings;
  }

  public HostPort host() {
    return host;
  }

  public HookLoader hookLoader() {
    return hookLoader(settings);
  }

  /**
   * The one way to load hooks from the settings: they get the installed contributions' names and
   * those of the node's own jars, for a phase, check and doctor alike.
   */
  public static HookLoader hookLoader(Settings settings) {
    return new HookLoader(
        settings.hookDirs(), settings.cacheDir(), settings.hookTimeout(), settings.hookApi());
  }

  /**
   * Runs one phase for one guest. Fails with {@link PveFileException} when the guest's config is
   * missing or unusable, before any hook runs. A dry run takes no lock, reconciles, records and
   * settles nothing: it changed nothing.
   */
  public Future<Run> run(
      VmId vmid, Phase phase, Optional<String> migratedFrom, PhaseListener listener) {
    if (settings.dryRun()) {
      return PhaseThreads.carry(
          () ->
              PhaseThreads.onPhaseThread(
                      () -> {
                        running.refuse(vmid, phase, evenIfRunning, listener);
                        return prepare.prepare(vmid, phase, migratedFrom, Ledger.NONE);
                      })
                  .compose(prepared -> dispatch.dispatch(prepared, listener))
                  .map(dispatched -> record.record(dispatched, listener)));
    }
    String holder = GuestLockStep.holder(vmid, phase);
    HeldLines log = new HeldLines(listener);
    // One phase thread carries the phase from the lock to the recording, its hooks included: one
    // hand-off there and one back, where each step and each hook cost a wake-up of a worker and of
    // the event loop before (19 context switches per call through serve, 1.35 ms of worker CPU).
    // A hook that times out leaves the rest of the phase to another phase thread.
    return PhaseThreads.carry(
        () ->
            PhaseThreads.onPhaseThread(
                    () -> lockedAndPrepared(vmid, phase, migratedFrom, holder, log))
                .compose(
                    locked ->
                        // compose: a dispatch that throws fails the future and still gives the
                        // lock back
                        Future.succeededFuture(locked.prepared())
                            .compose(prepared -> dispatch.dispatch(prepared, log))
                            .transform(
                                dispatched ->
                                    PhaseThreads.onPhaseThread(
                                        () -> recordedAndSettled(dispatched, locked, log)))));
  }

  /** A prepared phase and the guest's lock it holds until the phase is settled. */
  private record Locked(Locks.Held lock, PreparedPhase prepared) {}

  /** Steps 1 to 3, blocking: the guest's lock, then reconcile and prepare under it. */
  private Locked lockedAndPrepared(
      VmId vmid, Phase phase, Optional<String> migratedFrom, String holder, HeldLines log)
      throws Exception {
    Locks.Held guestLock = lock.acquireNow(vmid, holder);
    try {
      running.refuse(vmid, phase, evenIfRunning, log);
      reconcile.beforeStart(vmid, phase, log);
      return new Locked(
          guestLock, prepare.prepare(vmid, phase, migratedFrom, lock.ledger(vmid, phase, holder)));
    } catch (Exception | Error e) {
      released(guestLock, log);
      throw e;
    }
  }

  /**
   * Steps 5 and 6, blocking, then the lock is given back whatever happened: a failed dispatch
   * records and settles nothing.
   */
  private Run recordedAndSettled(
      AsyncResult<DispatchStep.Dispatched> dispatched, Locked locked, HeldLines log)
      throws Exception {
    try {
      if (dispatched.failed() && dispatched.cause() instanceof Exception e) {
        throw e;
      } else if (dispatched.failed()) {
        throw new ExecutionException(dispatched.cause());
      }
      return settle.settle(record.record(dispatched.result(), log), log);
    } finally {
      released(locked.lock(), log);
    }
  }

  private static void released(Locks.Held guestLock, HeldLines log) {
    log.release();
    guestLock.close();
  }

  /** Puts back what guests that are not running hold, through this engine's host. */
  public Reconciler reconciler() {
    return new Reconciler(journals, host, settings.dryRun(), START_WINDOW);
  }

  /**
   * How long a phase may still be running: its hooks in sequence, each within its timeout. Another
   * phase of the same guest waits this long for it, and a resident runtime lets a guest's hooks go
   * only after at least this long without a phase.
   */
  static Duration phaseBound(Settings settings) {
    return settings.hookTimeout().multipliedBy(4);
  }

  /** A dispatched phase with the hooks it saw (including any that failed to load). */
  public record Run(DispatchResult result, HookCatalog catalog) {}

  private HookCatalog hooksOf(VmId vmid) {
    return residentHooks.isPresent()
        ? residentHooks.get().catalog(vmid)
        : hookLoader().load(Optional.of(vmid));
  }
}
