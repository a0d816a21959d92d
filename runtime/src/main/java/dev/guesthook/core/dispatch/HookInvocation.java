package dev.guesthook.core.dispatch;

import dev.guesthook.core.event.HookEvent;
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

  /** Set when the handler returned: threads it left running must not act on the host. */
  private volatile boolean ended;

  /**
   * Set while the rollback runs one of this hook's undo steps, which may act after the hook was
   * abandoned, until the rollback gives up on the step itself.
   */
  private final ThreadLocal<UndoRun> undoing = new ThreadLocal<>();

  /** One run of an undo step: once given up on (its timeout), it must stop acting on the host. */
  static final class UndoRun {
    private volatile boolean givenUp;

    void giveUp() {
      givenUp = true;
    }
  }

  HookInvocation(Hook hook, PhaseRequest request) {
    this.hook = hook;
    this.event = request.event();
    this.host =
        new TracingHost(
            new RevocableHost(request.host(), this::whyHostCallsAreRefused), this::observe);
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
    Optional<String> refused = whyHostCallsAreRefused();
    if (refused.isPresent()) {
      throw new IllegalStateException("undo step '" + description + "' refused: " + refused.get());
    }
    undoActions.add(new UndoAction(description, step));
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
   * guest's lock was free, its calls in no recording.
   */
  void handlerEnded() {
    ended = true;
  }

  /**
   * The dispatcher gave up waiting (timeout): interrupt the hook so blocking calls end. A risky
   * kernel write it waits in is given up on first, its device marked wedged before the phase goes
   * on; what it was stuck in, for the hook's outcome.
   */
  synchronized Optional<String> abandon() {
    abandoned = true;
    return giveUp(runner);
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
    try {
      step.step().run();
    } finally {
      undoing.remove();
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
   * Why the calling thread's host calls are refused now: its hook (or undo step) was given up on at
   * its timeout, or it is a thread the hook left running after its handler ended. Empty for the
   * handler while it runs and for an undo step the rollback runs.
   */
  private Optional<String> whyHostCallsAreRefused() {
    if (mustStop()) {
      return Optional.of(
          "hook '"
              + hook.name()
              + "' was abandoned after its timeout; the phase went on without it");
    }
    if (ended && undoing.get() == null) {
      return Optional.of(
          "hook '"
              + hook.name()
              + "' has ended; a thread it started and did not wait for cannot use the host after"
              + " it (fix: join the thread before the handler returns)");
    }
    return Optional.empty();
  }

  private void observe(HostInteraction interaction) {
    interactions.add(interaction);
  }
}
