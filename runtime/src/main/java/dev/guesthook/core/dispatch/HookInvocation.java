package dev.guesthook.core.dispatch;

import dev.guesthook.core.event.HookEvent;
import dev.guesthook.host.HostAccess;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.KernelWrites;
import dev.guesthook.host.RevocableHost;
import dev.guesthook.host.TracingHost;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything one hook gets for one event: the event, the host (traced, so its outcome lists what it
 * did), its logger and settings, the domain's services, and the place to register undo steps.
 */
public final class HookInvocation {
  private final Hook hook;
  private final HookEvent event;
  private final HostPort host;
  private final HookLog log;
  private final Map<String, Object> settings;

  /** Every hook's settings for this guest, by hook name (read-only; see {@link #settingsOf}). */
  private final Function<String, Map<String, Object>> allSettings;

  private final boolean dryRun;
  private final HookServices services;
  private final List<UndoAction> undoActions = Collections.synchronizedList(new ArrayList<>());
  private final List<HostInteraction> interactions =
      Collections.synchronizedList(new ArrayList<>());
  private Thread runner;
  private volatile boolean abandoned;

  /** The handler's thread, once given up on: its calls stay refused, undo steps or not. */
  private volatile Thread abandonedRunner;

  /** Set when the handler returned, before the calls its threads began are waited for. */
  private volatile boolean handlerReturned;

  /**
   * Whether it had, when the hook was given up on: read then, as the interrupt that follows makes a
   * handler stuck in a wait return.
   */
  private volatile boolean returnedWhenAbandoned;

  private final HostGate gate = new HostGate();

  private static final String ABANDONED =
      "hook '%s' was abandoned after its timeout; the phase went on without it";

  /**
   * Set while the rollback runs one of this hook's undo steps, which may act after the hook was
   * abandoned, until the rollback gives up on the step itself.
   */
  private final ThreadLocal<UndoRun> undoing = new ThreadLocal<>();

  /** One run of an undo step: once given up on (its timeout), it must stop acting on the host. */
  static final class UndoRun {
    private volatile boolean givenUp;

    /** Whether the step's window on the host is closed: once, by its end or by the give-up. */
    private boolean windowClosed;

    void giveUp() {
      givenUp = true;
    }
  }

  HookInvocation(Hook hook, PhaseRequest request) {
    this.hook = hook;
    this.event = request.event();
    // Refused calls are not traced: a thread left running that retries one in a loop filled the
    // heap with their traces, in a list no one reads once the hook's outcome is made.
    this.host = new RevocableHost(new TracingHost(request.host(), this::observe), new Access());
    this.log = new HookLog(hook.name(), request.logLevel(), request.output());
    this.settings = request.settingsFor(hook.name());
    this.allSettings = request::settingsFor;
    this.dryRun = request.dryRun();
    this.services = request.services();
  }

  /**
   * An invocation outside a dispatched phase, for {@code guesthook check}: the hook's check block
   * runs with the same context a handler gets, on the request's (dry-run) host.
   */
  public static HookInvocation standalone(Hook hook, PhaseRequest request) {
    return new HookInvocation(hook, request);
  }

  /** What the domain gave this phase's hooks (opaque to the core). */
  public HookServices services() {
    return services;
  }

  public Hook hook() {
    return hook;
  }

  public HookEvent event() {
    return event;
  }

  public HostPort host() {
    return host;
  }

  public HookLog log() {
    return log;
  }

  /** This hook's settings: global defaults overlaid with the guest's own. */
  public Map<String, Object> settings() {
    return settings;
  }

  /**
   * Another hook's typed settings for this guest, as that hook gets them: a hook that checks what
   * another will do (the health gate, the mdev hook's parents) reads them instead of the file.
   */
  public Map<String, Object> settingsOf(String hookName) {
    return allSettings.apply(hookName);
  }

  public boolean dryRun() {
    return dryRun;
  }

  /**
   * Registers a step that reverts this hook's change should the pre-start transaction fail; refused
   * from a thread the hook left running after it ended, as its host calls are.
   */
  public void undo(String description, UndoAction.Step step) {
    Access access = new Access();
    Optional<String> refused = access.enter();
    if (refused.isPresent()) {
      throw new IllegalStateException("undo step '" + description + "' refused: " + refused.get());
    }
    try {
      undoActions.add(new UndoAction(description, step));
    } finally {
      access.leave();
    }
  }

  /**
   * Runs {@code work} as one host call of this hook's (a device operation, its ledger notes and
   * host calls together): refused as a host call is, and once begun, waited for as one.
   */
  public <T> T asOneHostCall(String what, Supplier<T> work) {
    return RevocableHost.through(new Access(), what, work);
  }

  /** Ends the hook as not applicable to this guest. */
  public void skip(String reason) {
    throw new HookSkipped(reason);
  }

  List<UndoAction> undoActions() {
    synchronized (undoActions) {
      return List.copyOf(undoActions);
    }
  }

  List<HostInteraction> interactions() {
    synchronized (interactions) {
      return List.copyOf(interactions);
    }
  }

  /**
   * Synchronized with {@link #abandon}: an interrupt never reaches the thread after the hook let go
   * of it, where it would cut short the phase's next step.
   */
  synchronized void startedOn(Thread thread) {
    runner = thread;
  }

  /**
   * The handler returned (or threw): from now on only the rollback's undo steps act for this hook.
   * A thread it started and did not wait for would otherwise write after the phase answered and the
   * guest's lock was free, its calls in no recording. Calls such threads began before are waited
   * for (the step's timeout bounds it), so they end inside the phase and in the hook's outcome; not
   * by a handler given up on, whose phase went on without it (its thread would wait for good on a
   * call that never ends).
   */
  void handlerEnded() {
    handlerReturned = true;
    gate.closeHandler(
        "hook '"
            + hook.name()
            + "' has ended; a thread it started and did not wait for cannot use the host after"
            + " it (fix: join the thread before the handler returns)");
    if (!abandoned) {
      gate.awaitCallsUnderWay();
    }
  }

  /**
   * The dispatcher gave up waiting (timeout): interrupt the hook so blocking calls end. A risky
   * kernel write it waits in is given up on first, its device marked wedged before the phase goes
   * on; what it was stuck in, for the hook's outcome.
   */
  synchronized Optional<String> abandon() {
    abandoned = true;
    returnedWhenAbandoned = handlerReturned;
    abandonedRunner = runner;
    String why = ABANDONED.formatted(hook.name());
    gate.closeHandler(why);
    giveUpOnOthers(gate.giveUpOnCallsUnderWay(why), runner);
    return giveUp(runner);
  }

  /**
   * The rollback gave up on one of this hook's undo steps (its timeout): the step's window on the
   * host closes now, not when its thread returns, which it may never do (a wait no interrupt
   * reaches); the calls its other threads have under way are given up on as the step's own.
   */
  void giveUpOnUndo(UndoRun run, Thread stepThread) {
    run.giveUp();
    closeWindowOf(run);
    giveUpOnOthers(gate.giveUpOnCallsUnderWay(ABANDONED.formatted(hook.name())), stepThread);
  }

  /**
   * Threads of the step besides its own: the kernel writes they wait in given up on, their devices
   * marked wedged before the phase goes on. Not interrupted (an interrupt cannot be told from the
   * hook's own, and a pool worker's carried into another guest's task): what their call blocks in
   * ends through {@link HostGate#giveUpOnCallsUnderWay}, and their next host call in it is refused.
   */
  private static void giveUpOnOthers(List<Thread> threads, Thread stepThread) {
    for (Thread other : threads) {
      if (other != stepThread) {
        KernelWrites.abandonOn(other);
      }
    }
  }

  private void closeWindowOf(UndoRun run) {
    synchronized (run) {
      if (!run.windowClosed) {
        run.windowClosed = true;
        gate.closeAfterUndoStep();
      }
    }
  }

  /**
   * Gives up on what {@code runner} does (a hook or an undo step): the risky kernel write it waits
   * in, if any, its device marked wedged, then an interrupt; what it was stuck in.
   */
  static Optional<String> giveUp(Thread runner) {
    if (runner == null) {
      return Optional.empty();
    }
    Optional<String> stuck = KernelWrites.abandonOn(runner);
    runner.interrupt();
    return stuck;
  }

  /**
   * Whether the handler had returned when the hook was given up on: the timeout then ran out on
   * calls threads of the hook had begun, which the phase waited for.
   */
  boolean handlerHadReturned() {
    return returnedWhenAbandoned;
  }

  /**
   * True once the dispatcher gave up on this hook: its code must stop, and its host calls are
   * refused.
   */
  public boolean abandoned() {
    return abandoned;
  }

  /**
   * Runs one of this hook's undo steps for the rollback: it may use the host even if the hook was
   * abandoned, until the rollback gives up on {@code run}.
   */
  void runUndo(UndoAction step, UndoRun run) throws Exception {
    undoing.set(run);
    gate.openForUndoStep();
    try {
      step.step().run();
    } finally {
      closeWindowOf(run);
      undoing.remove();
      if (!run.givenUp) {
        gate.awaitCallsUnderWay(); // what the step's own threads began, as for the handler
      }
    }
  }

  /**
   * Whether the hook code on this thread must stop, its host calls refused: the hook's handler once
   * the hook was abandoned, an undo step once the rollback gave up on that step. A step swallowing
   * its interrupt otherwise went on acting on the host after the phase had answered and the guest's
   * lock was free.
   */
  public boolean mustStop() {
    UndoRun run = undoing.get();
    return run != null ? run.givenUp : abandoned;
  }

  /**
   * Whether this hook's calls may reach the host now: the handler's thread once given up on and an
   * undo step once the rollback gave up on it never again; any other thread while the handler or
   * one of the hook's undo steps runs ({@link HostGate}).
   */
  private final class Access implements HostAccess {
    @Override
    public Optional<String> enter() {
      UndoRun run = undoing.get();
      boolean givenUp = run != null ? run.givenUp : Thread.currentThread() == abandonedRunner;
      if (givenUp) {
        return Optional.of(ABANDONED.formatted(hook.name()));
      }
      return gate.enter();
    }

    @Override
    public void leave() {
      gate.leave();
    }
  }

  private void observe(HostInteraction interaction) {
    interactions.add(interaction);
  }
}
