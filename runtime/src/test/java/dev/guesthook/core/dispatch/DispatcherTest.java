package dev.guesthook.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.host.sim.DryRunHost;
import dev.guesthook.testsupport.Events;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher on its own, with plain Java hooks: the event loop stays free while hooks block.
 */
class DispatcherTest {
  @TempDir Path root;

  /** What a plain Java hook does with its invocation. */
  private interface Body {
    void run(HookInvocation invocation) throws Exception;
  }

  private record JavaHook(String name, int order, Body body) implements Hook {
    @Override
    public Set<Phase> phases() {
      return EnumSet.of(Phase.PRE_START);
    }

    @Override
    public String origin() {
      return "test";
    }

    @Override
    public Optional<Duration> timeout() {
      return Optional.empty();
    }

    @Override
    public void run(HookInvocation invocation) throws Exception {
      body.run(invocation);
    }
  }

  /** A hook that notes the thread it runs on and blocks. */
  private static Hook blocking(String name, int order, long sleepMillis, List<String> trace) {
    return new JavaHook(
        name,
        order,
        invocation -> {
          trace.add(name + " on " + Thread.currentThread().getName());
          Thread.sleep(sleepMillis);
        });
  }

  /** A pre-start of {@code hooks}, each given 1 s, waited for. */
  private DispatchResult preStartWithin1s(List<Hook> hooks) throws Exception {
    return preStartWithin1s(hooks, new DryRunHost(new LinuxHost(root)));
  }

  private DispatchResult preStartWithin1s(List<Hook> hooks, HostPort host) throws Exception {
    return Dispatcher.of(hooks)
        .dispatch(request(Phase.PRE_START, Duration.ofSeconds(1), host))
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  private PhaseRequest request(Phase phase) throws Exception {
    return request(phase, Duration.ofSeconds(5));
  }

  private PhaseRequest request(Phase phase, Duration hookTimeout) throws Exception {
    return request(phase, hookTimeout, new DryRunHost(new LinuxHost(root)));
  }

  private PhaseRequest request(Phase phase, Duration hookTimeout, HostPort host) throws Exception {
    LifecycleEvent event = Events.of("101", phase);
    return new PhaseRequest(
        event, host, hookTimeout, HookLog.Level.INFO, line -> {}, name -> Map.of(), false);
  }

  @Test
  void blockingHooksRunOnWorkersAndTheBlockedThreadCheckerStaysSilent() throws Throwable {
    List<LogRecord> warnings = Collections.synchronizedList(new ArrayList<>());
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger vertxLogger = Logger.getLogger("io.vertx");
    vertxLogger.addHandler(capture);
    // A strict checker: an event loop blocked for more than 200 ms would be reported; a hook run on
    // it blocks 500 ms. (50 ms caught class loading on a loaded 2-core machine: a false alarm.)
    Vertx vertx =
        Vertx.vertx(
            new VertxOptions()
                .setBlockedThreadCheckInterval(20)
                .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
                .setMaxEventLoopExecuteTime(200)
                .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS));
    VertxTestContext testContext = new VertxTestContext();
    List<String> trace = Collections.synchronizedList(new ArrayList<>());
    try {
      List<Hook> hooks =
          List.of(blocking("slow-b", 2, 500, trace), blocking("slow-a", 1, 500, trace));
      PhaseRequest preStart = request(Phase.PRE_START);
      Dispatcher.of(hooks)
          .dispatch(preStart)
          .onComplete(
              testContext.succeeding(
                  result ->
                      testContext.verify(
                          () -> {
                            assertEquals(
                                List.of("slow-a", "slow-b"),
                                result.hooks().stream().map(HookOutcome::hook).toList());
                            assertTrue(
                                result.hooks().stream()
                                    .allMatch(h -> h.status() == HookOutcome.Status.OK));
                            testContext.completeNow();
                          })));
      assertTrue(testContext.awaitCompletion(10, TimeUnit.SECONDS));
      if (testContext.failed()) {
        throw testContext.causeOfFailure();
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      vertxLogger.removeHandler(capture);
    }
    assertTrue(trace.stream().allMatch(line -> line.contains("guesthook-phase")), trace::toString);
    assertEquals(List.of(), warnings.stream().map(LogRecord::getMessage).toList(), "Vert.x warned");
  }

  /** A hook of the test's own: what it does is a lambda, its timeout 1 s. */
  private record ScriptedHook(String name, int order, HookBody body) implements Hook {
    @Override
    public Set<Phase> phases() {
      return EnumSet.of(Phase.PRE_START);
    }

    @Override
    public String origin() {
      return "test";
    }

    @Override
    public Optional<Duration> timeout() {
      return Optional.of(Duration.ofSeconds(1));
    }

    @Override
    public void run(HookInvocation invocation) throws Exception {
      body.run(invocation);
    }
  }

  @FunctionalInterface
  private interface HookBody {
    void run(HookInvocation invocation) throws Exception;
  }

  @Test
  void aHookPastItsTimeoutFailsThePreStartAndWhatRanIsUndoneNewestFirst() throws Exception {
    List<String> undone = Collections.synchronizedList(new ArrayList<>());
    List<Hook> hooks =
        List.of(
            new ScriptedHook(
                "first",
                1,
                invocation -> {
                  invocation.undo("one", () -> undone.add("first: one"));
                  invocation.undo("hangs", () -> Thread.sleep(60_000));
                  invocation.undo("three", () -> undone.add("first: three"));
                }),
            new ScriptedHook(
                "second",
                2,
                invocation -> {
                  invocation.undo("two", () -> undone.add("second: two"));
                  while (true) {
                    Thread.onSpinWait(); // deaf to interrupts: it is abandoned, not waited for
                  }
                }),
            new ScriptedHook("third", 3, invocation -> undone.add("third ran")));
    PhaseRequest preStart = request(Phase.PRE_START);
    DispatchResult result =
        Dispatcher.of(hooks)
            .dispatch(preStart)
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);

    assertTrue(result.rolledBack());
    assertEquals(
        List.of("ok", "timed-out", "skipped"),
        result.hooks().stream().map(hook -> hook.status().wireName()).toList());
    assertEquals("no answer within 1.0 s; abandoned", result.hooks().get(1).message());
    assertEquals("not run: pre-start hook second failed first", result.hooks().get(2).message());
    assertEquals(List.of("second: two", "first: three", "first: one"), undone);
    assertEquals(
        List.of(new HookOutcome.UndoOutcome("two", true, "")), result.hooks().get(1).undo());
    assertEquals(
        List.of(
            new HookOutcome.UndoOutcome("three", true, ""),
            new HookOutcome.UndoOutcome("hangs", false, "undo 'hangs' timed out after 1000 ms"),
            new HookOutcome.UndoOutcome("one", true, "")),
        result.hooks().get(0).undo());
  }

  /**
   * An executable hook's process killed at the hook's timeout by the command runner is the same
   * outcome as the watchdog giving up on it: it was "failed" when the runner noticed first (a
   * clean-clone CI run on a loaded machine).
   */
  @Test
  void aHookWhoseOwnWorkWasStoppedAtItsTimeoutIsTimedOutNotFailed() throws Exception {
    List<Hook> hooks =
        List.of(
            new ScriptedHook(
                "killed",
                1,
                invocation -> {
                  throw new HookTimedOut("killed at its timeout, after 1.0 s");
                }));
    DispatchResult result =
        Dispatcher.of(hooks)
            .dispatch(request(Phase.PRE_START))
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);

    assertEquals("timed-out", result.hooks().get(0).status().wireName());
    assertEquals("killed at its timeout, after 1.0 s", result.hooks().get(0).message());
  }

  /**
   * A thread a hook left running that retries a refused call in a loop: each refusal was traced
   * into the ended hook's interactions, which no one reads again, and such a thread filled serve's
   * heap within seconds (adversary pass). Refused calls are not traced.
   */
  @Test
  void aRefusedCallLeavesNoTraceBehind() throws Exception {
    AtomicReference<HookInvocation> ran = new AtomicReference<>();
    DispatchResult result =
        Dispatcher.of(
                List.of(
                    new JavaHook(
                        "retries",
                        1,
                        invocation -> {
                          ran.set(invocation);
                          invocation.host().exists(HostPath.parse("/etc/hostname"));
                        })))
            .dispatch(request(Phase.PRE_START))
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertEquals(HookOutcome.Status.OK, result.hooks().get(0).status(), result::toString);
    HookInvocation invocation =
        ran.get(); // this test's thread stands in for the thread left running
    int refused = 0;
    for (int call = 0; call < 10_000; call++) {
      try {
        invocation.host().exists(HostPath.parse("/etc/hostname"));
      } catch (HostException e) {
        refused++;
      }
    }
    assertEquals(10_000, refused, "every call after the handler ended is refused");
    assertEquals(1, invocation.interactions().size(), "the handler's own call only");
  }

  /**
   * A device operation a thread the hook left running has under way (not in a kernel write: a
   * device's driver polled for) when the hook times out is given up on: its next host call is
   * refused, so it fails and lets go of its device's lock. It went on, held the lock past the
   * settle's reconcile, and bound the VF after the phase answered (adversary pass). The thread is
   * not interrupted: a pool worker's interrupt carried into another guest's hook.
   */
  @Test
  void aThreadsOperationUnderWayAtTheTimeoutIsRefusedAtItsNextCall() throws Exception {
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    Hook leavesAnOperation =
        new JavaHook(
            "leaves-an-operation",
            1,
            invocation -> {
              new Thread(
                      () -> {
                        try {
                          invocation.asOneHostCall(
                              "device operation",
                              () -> {
                                try {
                                  Thread.sleep(1_500); // polling a driver that comes late
                                } catch (InterruptedException e) {
                                  seen.add("interrupted");
                                }
                                invocation.host().exists(HostPath.parse("/etc/hostname"));
                                seen.add("went on");
                                return null;
                              });
                        } catch (HostException refused) {
                          seen.add(refused.errno());
                        } finally {
                          done.countDown();
                        }
                      })
                  .start();
              Thread.sleep(100);
            });
    DispatchResult result = preStartWithin1s(List.of(leavesAnOperation));
    assertEquals(HookOutcome.Status.TIMED_OUT, result.hooks().get(0).status(), result::toString);
    assertTrue(done.await(3, TimeUnit.SECONDS), "the operation ended soon after: " + seen);
    assertEquals(List.of("ECANCELED"), seen, "its next call refused, and no interrupt");
  }

  /**
   * A pool task given up on in a slow host call lets go of its worker at its hook's timeout (its
   * command killed), and no interrupt reaches the worker's next task. Left to its slow call, one
   * guest's given-up tasks held the shared pool's workers, and another guest's hook waiting on the
   * pool timed out; freed by an interrupt, a worker carried it into the next guest's task
   * (adversary passes). A fork-join pool, as the common pool is: it does not clear an interrupt
   * between tasks.
   */
  @Test
  void aPoolTaskGivenUpOnFreesItsWorkerAndTheNextTaskIsNotInterrupted() throws Exception {
    java.util.concurrent.ForkJoinPool pool = new java.util.concurrent.ForkJoinPool(1);
    HostPort host = new LinuxHost(root);
    try {
      List<String> slowCall = Collections.synchronizedList(new ArrayList<>());
      Hook waitsOnASlowTask =
          new JavaHook(
              "slow-task",
              1,
              invocation ->
                  pool.submit(
                          () -> {
                            long start = System.nanoTime();
                            try {
                              invocation.host().run(HostCommand.of("sleep", "5"));
                              slowCall.add("ran whole");
                            } catch (HostException e) {
                              slowCall.add(e.errno());
                            }
                            slowCall.add(
                                (System.nanoTime() - start) / 1_000_000_000 < 3
                                    ? "ended with the hook"
                                    : "ran its 5 s");
                          })
                      .get());
      DispatchResult first = preStartWithin1s(List.of(waitsOnASlowTask), host);
      assertEquals(HookOutcome.Status.TIMED_OUT, first.hooks().get(0).status(), first::toString);

      List<Boolean> interruptedInNextTask = Collections.synchronizedList(new ArrayList<>());
      Hook nextGuestsHook =
          new JavaHook(
              "next-guest",
              1,
              invocation ->
                  pool.submit(
                          () -> {
                            interruptedInNextTask.add(Thread.currentThread().isInterrupted());
                            return invocation.host().exists(HostPath.parse("/etc/hostname"));
                          })
                      .get());
      DispatchResult next = preStartWithin1s(List.of(nextGuestsHook), host);
      assertEquals(
          HookOutcome.Status.OK,
          next.hooks().get(0).status(),
          "the pool's worker free for the next guest: " + next);
      assertEquals(List.of(false), interruptedInNextTask, "no interrupt carried into its task");
      // The task starts a moment after the hook, so "with the hook" is anywhere under its 1 s
      // timeout plus the kill; only a command left to run its 5 s is wrong.
      assertEquals(
          List.of("ECANCELED", "ended with the hook"), slowCall, "the command ended with its hook");
    } finally {
      pool.shutdownNow();
    }
  }
}
