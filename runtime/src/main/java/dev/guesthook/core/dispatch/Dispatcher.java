package dev.guesthook.core.dispatch;

import dev.guesthook.core.dispatch.HookOutcome.Status;
import dev.guesthook.core.dispatch.HookOutcome.UndoOutcome;
import dev.guesthook.core.event.Phase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs a phase's hooks in order, one after the other on one phase thread ({@link PhaseThreads}).
 * Each hook runs under a watchdog: a hook that has not ended within its timeout is abandoned
 * (interrupted, its host calls refused), counted as timed out, and the phase goes on on another
 * thread while the abandoned one lets go whenever the hook does. A failed pre-start is rolled back:
 * the undo steps of every hook that ran are run in reverse order, each under the same watchdog.
 */
public final class Dispatcher {
  /** Runs first by order, then by name: the same order on every run and every node. */
  public static final Comparator<Hook> RUN_ORDER =
      Comparator.comparingInt(Hook::order).thenComparing(Hook::name);

  private final List<Hook> hooks;

  private Dispatcher(List<Hook> hooks) {
    this.hooks = hooks.stream().sorted(RUN_ORDER).toList();
  }

  /**
   * A dispatcher for these hooks: a plain value, holding no thread and no registration between
   * phases, so there is nothing to start or stop.
   */
  public static Dispatcher of(List<Hook> hooks) {
    return new Dispatcher(hooks);
  }

  public List<Hook> hooks() {
    return hooks;
  }

  /** Runs the phase's hooks on a phase thread; completes with every hook's outcome. */
  public Future<DispatchResult> dispatch(PhaseRequest request) {
    return started(request, PhaseThreads::execute);
  }

  /**
   * The same, on this thread when it is a phase thread (the engine's: its phase goes from the lock
   * to the recording without a hand-off), once the caller has returned and so listens to the future
   * ({@link PhaseThreads#next}). The future may complete on another phase thread, when a hook timed
   * out.
   */
  public Future<DispatchResult> dispatchHere(PhaseRequest request) {
    return started(request, PhaseThreads::next);
  }

  private Future<DispatchResult> started(PhaseRequest request, Consumer<Runnable> onPhaseThread) {
    PhaseRun run = new PhaseRun(request);
    try {
      onPhaseThread.accept(run::drive);
    } catch (RuntimeException | Error notStarted) {
      run.result.tryFail(notStarted);
    }
    return run.result.future();
  }

  /** Runs the hook on the current thread; never throws, every ending becomes an outcome. */
  private static HookOutcome execute(HookInvocation invocation) {
    Hook hook = invocation.hook();
    invocation.startedOn(Thread.currentThread());
    long start = System.nanoTime();
    Status status = Status.OK;
    String message = "";
    try {
      hook.run(invocation);
    } catch (HookSkipped skipped) {
      status = Status.SKIPPED;
      message = skipped.getMessage();
    } catch (HookTimedOut timedOut) {
      status = Status.TIMED_OUT;
      message = timedOut.getMessage();
    } catch (Throwable error) {
      status = Status.FAILED;
      message = Failures.describe(error, hook.origin());
    } finally {
      invocation.handlerEnded();
      invocation.startedOn(null);
      Thread.interrupted(); // an abandoned hook's interrupt must not leak into the next step
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new HookOutcome(
        hook.name(), hook.origin(), status, took, message, invocation.interactions(), List.of());
  }

  private static String noAnswerWithin(Duration timeout, HookInvocation invocation) {
    String within = timeout.toMillis() / 1000.0 + " s";
    return invocation.handlerHadReturned()
        ? "its handler returned, but calls its threads had begun did not end within "
            + within
            + "; abandoned"
        : "no answer within " + within + "; abandoned";
  }

  private static Duration timeoutOf(Hook hook, PhaseRequest request) {
    return hook.timeout().orElse(request.defaultTimeout());
  }

  /**
   * One step of a phase run under the watchdog: a hook or an undo step. Exactly one of {@link
   * #ended} (the step's own thread) and {@link #timedOut} (the watchdog) takes it; the other lets
   * go.
   */
  private abstract static class Watched {
    private final AtomicBoolean taken = new AtomicBoolean();

    /** Runs the step on the current thread; never throws. */
    abstract void run();

    /** The step ended in time: its outcome is recorded. */
    abstract void ended();

    /** The watchdog gave up on it: it is interrupted and counted as timed out. */
    abstract void timedOut();

    abstract long timeoutMillis();

    final boolean take() {
      return taken.compareAndSet(false, true);
    }

    /** The thread running it, and whether that thread let go of it after the watchdog took it. */
    private volatile Thread runner;

    private volatile boolean letGo;

    /** A timed-out step's message, with the kernel write it was stuck in. */
    static String stuckIn(String message, Optional<String> stuck) {
      return stuck.map(write -> message + ", " + write).orElse(message);
    }
  }

  /**
   * The state of one phase being dispatched. Only the thread that carries the phase (the one that
   * took the last step) touches it.
   */
  private final class PhaseRun {
    private final Promise<DispatchResult> result = Promise.promise();
    private final PhaseRequest request;
    private final Phase phase;
    private final List<Hook> phaseHooks;
    private final List<HookOutcome> outcomes = new ArrayList<>();
    private final List<HookInvocation> invocations = new ArrayList<>();
    private final Deque<Watched> undoSteps = new ArrayDeque<>();
    private int nextHook;
    private boolean aborted;

    /** The hook whose failure aborted the phase, named in the skipped hooks' lines. */
    private String failedFirst = "";

    private boolean rollbackPlanned;

    PhaseRun(PhaseRequest request) {
      this.request = request;
      this.phase = request.event().phase();
      this.phaseHooks = hooks.stream().filter(hook -> hook.phases().contains(phase)).toList();
    }

    /**
     * Takes steps on this thread until the phase is done, or until the watchdog took a step over
     * (then this thread is left with an abandoned hook, and the phase goes on elsewhere).
     */
    void drive() {
      try {
        Watched step;
        while ((step = nextStep()) != null) {
          if (!runWatched(step)) {
            return;
          }
        }
        result.tryComplete(new DispatchResult(request.event(), List.copyOf(outcomes), aborted));
      } catch (Throwable e) { // Groovy code throws checked exceptions undeclared, too
        result.tryFail(e);
      }
    }

    /** The next hook to run, skipping those after a failure; then the rollback's undo steps. */
    private Watched nextStep() {
      while (nextHook < phaseHooks.size()) {
        Hook hook = phaseHooks.get(nextHook++);
        if (!aborted) {
          HookInvocation invocation = new HookInvocation(hook, request);
          invocations.add(invocation);
          return new HookStep(invocation);
        }
        outcomes.add(
            HookOutcome.skipped(
                hook, "not run: " + phase + " hook " + failedFirst + " failed first"));
      }
      if (!aborted
          && !rollbackPlanned
          && phase.isTransactional()
          && request.unheard().getAsBoolean()) {
        // Its outcome cannot reach Proxmox, which sees the phase fail and does not start the
        // guest: what the hooks did is taken back, as after a failed hook.
        aborted = true;
      }
      if (aborted && !rollbackPlanned) {
        rollbackPlanned = true;
        planRollBack();
      }
      return undoSteps.poll();
    }

    /** True when the step ended here in time; false when the watchdog took it over. */
    private boolean runWatched(Watched step) {
      step.runner = Thread.currentThread();
      Watchdog.Watch watch = Watchdog.start(step.timeoutMillis(), () -> giveUp(step));
      try {
        step.run();
      } catch (Throwable unexpected) {
        // A watch left running would restart this phase on another thread at the timeout, after
        // the phase had failed and let go of the guest's lock.
        Watchdog.end(watch);
        if (!step.take()) {
          letGo(step);
          return false; // the watchdog took the step over first: the phase goes on there
        }
        throw unexpected;
      }
      Watchdog.end(watch);
      if (!step.take()) {
        letGo(step);
        return false;
      }
      step.ended();
      return true;
    }

    /** The abandoned step ended at last on this thread, which is free again. */
    private void letGo(Watched step) {
      step.letGo = true;
      AbandonedThreads.letGo(step);
    }

    /** On the watchdog's thread: the step is abandoned and the phase goes on on another thread. */
    private void giveUp(Watched step) {
      if (!step.take()) {
        return;
      }
      AbandonedThreads.abandoned(step, step.runner, step.letGo);
      step.timedOut();
      try {
        PhaseThreads.execute(this::drive);
      } catch (RuntimeException | Error notStarted) {
        result.tryFail(notStarted);
      }
    }

    private void record(HookOutcome outcome) {
      outcomes.add(outcome);
      aborted = outcome.failed() && phase.isTransactional();
      if (aborted && failedFirst.isEmpty()) {
        failedFirst = outcome.hook();
      }
    }

    /** Undoes hooks newest first, each hook's own steps newest first. */
    private void planRollBack() {
      for (int index = invocations.size() - 1; index >= 0; index--) {
        HookInvocation invocation = invocations.get(index);
        List<UndoAction> steps = new ArrayList<>(invocation.undoActions());
        Collections.reverse(steps);
        List<UndoOutcome> results = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
          boolean last = i == steps.size() - 1;
          undoSteps.add(new UndoStep(invocation, index, steps.get(i), results, last));
        }
      }
    }

    private final class HookStep extends Watched {
      private final HookInvocation invocation;
      private final Duration timeout;
      private HookOutcome outcome;

      HookStep(HookInvocation invocation) {
        this.invocation = invocation;
        this.timeout = timeoutOf(invocation.hook(), request);
      }

      @Override
      void run() {
        outcome = execute(invocation);
      }

      @Override
      void ended() {
        record(outcome);
      }

      @Override
      void timedOut() {
        Optional<String> stuck = invocation.abandon();
        Hook hook = invocation.hook();
        record(
            new HookOutcome(
                hook.name(),
                hook.origin(),
                Status.TIMED_OUT,
                timeout,
                stuckIn(noAnswerWithin(timeout, invocation), stuck),
                invocation.interactions(),
                List.of()));
      }

      @Override
      long timeoutMillis() {
        return timeout.toMillis();
      }
    }

    /** One undo step of a hook; the hook's last one puts the hook's undo results in its outcome. */
    private final class UndoStep extends Watched {
      private final HookInvocation invocation;
      private final int index;
      private final UndoAction action;
      private final List<UndoOutcome> results;
      private final boolean lastOfItsHook;
      private UndoOutcome outcome;
      private Thread runner;
      private final HookInvocation.UndoRun run = new HookInvocation.UndoRun();

      UndoStep(
          HookInvocation invocation,
          int index,
          UndoAction action,
          List<UndoOutcome> results,
          boolean lastOfItsHook) {
        this.invocation = invocation;
        this.index = index;
        this.action = action;
        this.results = results;
        this.lastOfItsHook = lastOfItsHook;
      }

      @Override
      void run() {
        runningOn(Thread.currentThread());
        try {
          invocation.runUndo(action, run);
          outcome = new UndoOutcome(action.description(), true, "");
        } catch (Exception | Error e) {
          outcome = failedUndo(e);
        } finally {
          runningOn(null);
          Thread.interrupted(); // never carry an abandoned undo's interrupt into the next step
        }
      }

      @Override
      void ended() {
        add(outcome);
      }

      @Override
      void timedOut() {
        invocation.giveUpOnUndo(run, runnerNow());
        Optional<String> stuck = interruptRunner();
        add(
            failedUndo(
                new TimeoutException(
                    stuckIn(
                        "undo '"
                            + action.description()
                            + "' timed out after "
                            + timeoutMillis()
                            + " ms",
                        stuck))));
      }

      @Override
      long timeoutMillis() {
        return timeoutOf(invocation.hook(), request).toMillis();
      }

      private synchronized void runningOn(Thread thread) {
        runner = thread;
      }

      private synchronized Thread runnerNow() {
        return runner;
      }

      /** Never after the step let go of its thread: the interrupt would hit the next step. */
      private synchronized Optional<String> interruptRunner() {
        return HookInvocation.giveUp(runner);
      }

      private UndoOutcome failedUndo(Throwable error) {
        return new UndoOutcome(
            action.description(), false, Failures.describe(error, invocation.hook().origin()));
      }

      private void add(UndoOutcome undone) {
        results.add(undone);
        if (lastOfItsHook) {
          outcomes.set(index, outcomes.get(index).withUndo(List.copyOf(results)));
        }
      }
    }
  }
}
