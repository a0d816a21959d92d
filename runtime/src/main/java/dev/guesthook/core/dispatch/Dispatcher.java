package dev.guesthook.core.dispatch;

import dev.guesthook.core.dispatch.HookOutcome.Status;
import dev.guesthook.core.dispatch.HookOutcome.UndoOutcome;
import dev.guesthook.core.event.Phase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Dispatches lifecycle events over the Vert.x event bus. Each phase is an address ({@code
 * guesthook.phase.pre-start}, ...) whose consumer runs that phase's hooks in order; each hook is a
 * consumer of its own address ({@code guesthook.hook.<name>}) that runs it on a worker thread, so
 * the event loop never blocks. A hook that does not reply within its timeout is abandoned
 * (interrupted) and counted as timed out. A failed pre-start is rolled back: the undo steps of
 * every hook that ran are run in reverse order.
 */
public final class Dispatcher {
  public static final String PHASE_ADDRESS_PREFIX = "guesthook.phase.";
  public static final String HOOK_ADDRESS_PREFIX = "guesthook.hook.";

  /** Runs first by order, then by name: the same order on every run and every node. */
  public static final Comparator<Hook> RUN_ORDER =
      Comparator.comparingInt(Hook::order).thenComparing(Hook::name);

  private static final AtomicLong SCOPES = new AtomicLong();

  private final Vertx vertx;
  private final List<Hook> hooks;
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  /**
   * Appended to this dispatcher's addresses: a resident runtime has several on one bus (one per VM,
   * an old one finishing while a reloaded one starts), and the bus would round-robin between equal
   * addresses.
   */
  private final String scope;

  private Dispatcher(Vertx vertx, List<Hook> hooks) {
    this.vertx = vertx;
    this.hooks = hooks.stream().sorted(RUN_ORDER).toList();
    this.scope = "#" + SCOPES.incrementAndGet();
  }

  public static String phaseAddress(Phase phase) {
    return PHASE_ADDRESS_PREFIX + phase.wireName();
  }

  public static String hookAddress(Hook hook) {
    return HOOK_ADDRESS_PREFIX + hook.name();
  }

  /** Registers the phase and hook consumers; the future completes once all are registered. */
  public static Future<Dispatcher> start(Vertx vertx, List<Hook> hooks) {
    LocalCodec.register(vertx, PhaseRequest.class);
    LocalCodec.register(vertx, DispatchResult.class);
    LocalCodec.register(vertx, HookInvocation.class);
    LocalCodec.register(vertx, HookOutcome.class);
    Dispatcher dispatcher = new Dispatcher(vertx, hooks);
    return dispatcher.register().map(dispatcher);
  }

  public List<Hook> hooks() {
    return hooks;
  }

  /** Sends the event to its phase's address and completes with every hook's outcome. */
  public Future<DispatchResult> dispatch(PhaseRequest request) {
    DeliveryOptions options =
        new DeliveryOptions().setSendTimeout(phaseDeadline(request).toMillis());
    return vertx
        .eventBus()
        .<DispatchResult>request(phaseAddress(request.event().phase()) + scope, request, options)
        .map(Message::body);
  }

  public Future<Void> stop() {
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList()).mapEmpty();
  }

  private Future<Void> register() {
    EventBus bus = vertx.eventBus();
    for (Phase phase : Phase.values()) {
      consumers.add(
          bus.<PhaseRequest>consumer(
              phaseAddress(phase) + scope,
              message -> new PhaseRun(message.body()).run().onSuccess(message::reply)));
    }
    for (Hook hook : hooks) {
      consumers.add(
          bus.<HookInvocation>consumer(
              hookAddress(hook) + scope,
              message ->
                  vertx
                      .executeBlocking(() -> execute(message.body()), false)
                      .onSuccess(message::reply)));
    }
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).mapEmpty();
  }

  /**
   * Runs the hook on the current (worker) thread; never throws, every ending becomes an outcome.
   */
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
    } catch (Throwable error) {
      status = Status.FAILED;
      message = Failures.describe(error, hook.origin());
    } finally {
      invocation.startedOn(null);
      Thread.interrupted(); // an abandoned hook's interrupt must not leak into the next task
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new HookOutcome(
        hook.name(), hook.origin(), status, took, message, invocation.interactions(), List.of());
  }

  private Duration timeoutOf(Hook hook, PhaseRequest request) {
    return hook.timeout().orElse(request.defaultTimeout());
  }

  /**
   * Generous bound for a whole phase: every hook and every undo at its full timeout, plus slack.
   */
  private Duration phaseDeadline(PhaseRequest request) {
    Duration total = Duration.ofSeconds(10);
    for (Hook hook : hooks) {
      total = total.plus(timeoutOf(hook, request).multipliedBy(2));
    }
    return total;
  }

  /** The state of one phase being dispatched, driven from the event loop. */
  private final class PhaseRun {
    private final PhaseRequest request;
    private final Phase phase;
    private final List<HookOutcome> outcomes = new ArrayList<>();
    private final List<HookInvocation> invocations = new ArrayList<>();
    private boolean aborted;

    PhaseRun(PhaseRequest request) {
      this.request = request;
      this.phase = request.event().phase();
    }

    Future<DispatchResult> run() {
      Future<Void> chain = Future.succeededFuture();
      for (Hook hook : hooks) {
        if (hook.phases().contains(phase)) {
          chain = chain.compose(done -> step(hook));
        }
      }
      return chain
          .compose(done -> aborted ? rollBack(invocations.size() - 1) : Future.succeededFuture())
          .map(done -> new DispatchResult(request.event(), List.copyOf(outcomes), aborted));
    }

    private Future<Void> step(Hook hook) {
      if (aborted) {
        outcomes.add(HookOutcome.skipped(hook, "not run: an earlier " + phase + " hook failed"));
        return Future.succeededFuture();
      }
      HookInvocation invocation = new HookInvocation(hook, request);
      invocations.add(invocation);
      Duration timeout = timeoutOf(hook, request);
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeout.toMillis());
      return vertx
          .eventBus()
          .<HookOutcome>request(hookAddress(hook) + scope, invocation, options)
          .map(Message::body)
          .recover(error -> Future.succeededFuture(unanswered(invocation, timeout, error)))
          .map(
              outcome -> {
                outcomes.add(outcome);
                aborted = outcome.failed() && phase.isTransactional();
                return null;
              });
    }

    private HookOutcome unanswered(HookInvocation invocation, Duration timeout, Throwable error) {
      invocation.abandon();
      Hook hook = invocation.hook();
      boolean timedOut =
          error instanceof ReplyException reply && reply.failureType() == ReplyFailure.TIMEOUT;
      String message =
          timedOut
              ? "no answer within " + timeout.toMillis() / 1000.0 + " s; abandoned"
              : "could not be run: " + error.getMessage();
      return new HookOutcome(
          hook.name(),
          hook.origin(),
          timedOut ? Status.TIMED_OUT : Status.FAILED,
          timeout,
          message,
          invocation.interactions(),
          List.of());
    }

    /** Undoes hooks newest first, each hook's own steps newest first. */
    private Future<Void> rollBack(int index) {
      if (index < 0) {
        return Future.succeededFuture();
      }
      HookInvocation invocation = invocations.get(index);
      List<UndoAction> steps = new ArrayList<>(invocation.undoActions());
      Collections.reverse(steps);
      List<UndoOutcome> results = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (UndoAction step : steps) {
        chain = chain.compose(done -> undo(invocation, step, results));
      }
      return chain
          .map(
              done -> {
                outcomes.set(index, outcomes.get(index).withUndo(results));
                return (Void) null;
              })
          .compose(done -> rollBack(index - 1));
    }

    private Future<Void> undo(
        HookInvocation invocation, UndoAction step, List<UndoOutcome> results) {
      long timeout = timeoutOf(invocation.hook(), request).toMillis();
      return Blocking.withTimeout(
              vertx,
              () -> {
                invocation.runUndo(step);
                return null;
              },
              timeout,
              "undo '" + step.description() + "'")
          .map(ok -> new UndoOutcome(step.description(), true, ""))
          .recover(
              error ->
                  Future.succeededFuture(
                      new UndoOutcome(
                          step.description(),
                          false,
                          Failures.describe(error, invocation.hook().origin()))))
          .map(
              outcome -> {
                results.add(outcome);
                return null;
              });
    }
  }
}
