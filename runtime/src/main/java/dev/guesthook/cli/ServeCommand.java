package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.cluster.EventRing;
import dev.guesthook.cluster.Publisher;
import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.AbandonedThreads;
import dev.guesthook.engine.Engine;
import dev.guesthook.journal.Reconciler;
import dev.guesthook.journald.Journald;
import dev.guesthook.metrics.NodeMetrics;
import dev.guesthook.serve.AbandonedWatch;
import dev.guesthook.serve.HeapWatch;
import dev.guesthook.serve.PhaseCall;
import dev.guesthook.serve.ResidentRuntime;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook serve}: the resident runtime the hookscript client talks to. */
@Command(
    name = "serve",
    header = "The resident runtime the hookscript client talks to (Unix socket).",
    mixinStandardHelpOptions = true,
    description = {
      "Run the resident runtime: hooks stay loaded and compiled, and each phase Proxmox asks for through",
      "the hookscript client (guesthook-hookscript) is answered over a Unix socket (mode 0600; peers of",
      "another user are refused) in milliseconds instead of a JVM start. Runs until stopped (SIGTERM)."
    })
final class ServeCommand implements Callable<Integer> {
  static final Duration RECONCILE_EVERY = Duration.ofMinutes(1);

  /** How often serve looks whether abandoned hooks hold too much, phases or not. */
  static final Duration ABANDONED_EVERY = Duration.ofSeconds(10);

  @ParentCommand Main main;

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      description =
          "The Unix socket the hookscript client connects to (root only; the client's"
              + " GUESTHOOK_SOCKET names another). Default: <root>/"
              + ResidentRuntime.SOCKET)
  Path socket;

  @Override
  public Integer call() {
    return main.withRuntime(
        node -> {
          Vertx vertx = node.vertx();
          Settings settings = node.settings();
          Engine engine = node.engine().resident();
          Path path = socket != null ? socket : settings.root().resolve(ResidentRuntime.SOCKET);
          Optional<String> refused = ResidentRuntime.refusal(path);
          if (refused.isPresent()) {
            // Before the reconcile: a second runtime must not act on the host either.
            main.console.error(refused.get());
            return Future.succeededFuture(ExitCodes.USAGE);
          }
          Promise<Integer> stopped = Promise.promise();
          return vertx
              .executeBlocking(
                  () -> {
                    Journald journald =
                        node.journald(
                            warning -> main.console.out().println("guesthook serve: " + warning));
                    main.console
                        .out()
                        .println(
                            "guesthook serve: "
                                + (journald.isOn()
                                    ? "phase lines go to the journal too, with VMID, PHASE and HOOK"
                                    : (settings.dryRun()
                                            ? "a dry run"
                                            : "no journal at /" + Journald.SOCKET)
                                        + ": phase lines go to the task log only"));
                    Consumer<String> say =
                        line -> main.console.out().println("guesthook serve: " + line);
                    Optional<NodeMetrics> metrics = node.metrics(say);
                    HeapWatch heap = new HeapWatch(Runtime.getRuntime());
                    AbandonedWatch abandoned =
                        new AbandonedWatch(
                            AbandonedThreads::held, AbandonedThreads::mostCpuSinceAbandonedMillis);
                    ClusterPublishing publishing =
                        new ClusterPublishing(node.publisher(), metrics, say);
                    ResidentRuntime.PhaseRunner phases =
                        runner(engine, settings, journald, metrics, publishing::note);
                    AtomicReference<ResidentRuntime> serving = new AtomicReference<>();
                    AtomicInteger running = new AtomicInteger();
                    ResidentRuntime runtime =
                        new ResidentRuntime(
                            path,
                            (call, out) -> {
                              running.incrementAndGet();
                              // Looked at as the phase ends, before its exit line is sent, from
                              // another thread: stopping waits for running phases. Only when the
                              // heap may be full: a hand-off per phase would wake a worker while
                              // the answer is sent. And only by the last phase to end: another's
                              // memory is its own.
                              return phases
                                  .startOrFail(call, out)
                                  .whenComplete(
                                      (exit, failure) -> {
                                        if (running.decrementAndGet() == 0 && heap.mayBeFull()) {
                                          vertx.executeBlocking(
                                              () ->
                                                  stopIfHeapStaysFull(
                                                      heap, serving.get(), stopped, running::get),
                                              false);
                                        }
                                        stopIfAbandonedHoldTooMuch(
                                            abandoned, vertx, serving.get(), stopped);
                                      });
                            },
                            // On the publishing thread, once the client has the whole answer: a
                            // publish ran before the exit line was sent and held it back
                            // (publish-phase.sh).
                            () -> publishing.publishSoon(),
                            main.console.out()::println);
                    serving.set(runtime);
                    Runtime.getRuntime()
                        .addShutdownHook(
                            new Thread(
                                () -> {
                                  try {
                                    runtime.close();
                                  } catch (Exception e) {
                                    // Stopping anyway.
                                  }
                                  journald.close();
                                  stopped.tryComplete(ExitCodes.OK);
                                }));
                    reconcile(engine, publishing, "at serve's start");
                    runtime.start();
                    // A failed start leaves no post-stop behind it: look again for guests that
                    // stopped holding devices.
                    vertx.setPeriodic(
                        RECONCILE_EVERY.toMillis(),
                        id ->
                            vertx.executeBlocking(
                                () -> reconcile(engine, publishing, "periodic"), false));
                    // The cluster sees this node's data however long no phase runs.
                    publishing.publishSoon();
                    vertx.setPeriodic(Publisher.EVERY.toMillis(), id -> publishing.publishSoon());
                    // An abandoned hook looping in library code burns a core with no phase to see.
                    vertx.setPeriodic(
                        ABANDONED_EVERY.toMillis(),
                        id -> stopIfAbandonedHoldTooMuch(abandoned, vertx, serving.get(), stopped));
                    vertx
                        .executeBlocking(engine::preloadHooks, false)
                        .onSuccess(
                            count ->
                                main.console
                                    .out()
                                    .println(
                                        "guesthook serve: hooks of " + count + " guest(s) loaded"));
                    return true;
                  },
                  false)
              .compose(started -> stopped.future());
        });
  }

  /**
   * After a phase: when the heap stays full (a hook kept the memory it took), the runtime stops
   * taking phases, lets the running ones end, and exits, so that systemd starts a fresh one.
   */
  private boolean stopIfHeapStaysFull(
      HeapWatch heap, ResidentRuntime runtime, Promise<Integer> stopped, IntSupplier running) {
    OptionalInt full = heap.staysFull(running);
    if (full.isPresent()) {
      stop(
          "the heap stays "
              + full.getAsInt()
              + "% full after a collection (a hook keeps memory it took?)",
          runtime,
          stopped);
    }
    return true;
  }

  /**
   * After a phase and on a timer: when hooks abandoned at their timeouts hold too much, the runtime
   * stops. Stopping waits for running phases, the caller's own too: not on its thread.
   */
  private void stopIfAbandonedHoldTooMuch(
      AbandonedWatch abandoned, Vertx vertx, ResidentRuntime runtime, Promise<Integer> stopped) {
    abandoned
        .tooMuch()
        .ifPresent(why -> vertx.executeBlocking(() -> stop(why, runtime, stopped), false));
  }

  /**
   * The runtime stops taking phases, lets the running ones end, and exits, so that systemd starts a
   * fresh one; meanwhile the hookscript client runs the one-shot path.
   */
  private boolean stop(String why, ResidentRuntime runtime, Promise<Integer> stopped) {
    main.console
        .out()
        .println(
            "guesthook serve: "
                + why
                + "; stopping so that systemd starts a fresh runtime; until then the hookscript"
                + " runs the one-shot path");
    try {
      runtime.close();
    } catch (IOException e) {
      // Exiting anyway: the socket is gone with the process.
    }
    stopped.tryComplete(ExitCodes.INTERNAL);
    return true;
  }

  /** Puts back what guests that are not running hold, and says so in the service's log. */
  private boolean reconcile(Engine engine, ClusterPublishing publishing, String why) {
    Instant at = Instant.now();
    List<Reconciler.GuestResult> results = engine.reconciler().all(Optional.empty());
    for (Reconciler.GuestResult result : results) {
      result.news().forEach(line -> main.console.out().println("guesthook serve: " + line));
    }
    publishing.reconciled(results, why, at);
    return true;
  }

  /**
   * One phase as the one-shot path runs it: the same task-log lines, the same exit codes, the same
   * journal entries.
   */
  static ResidentRuntime.PhaseRunner runner(Engine engine, Settings settings, Journald journald) {
    return runner(engine, settings, journald, Optional.empty(), entries -> {});
  }

  /**
   * The same, each phase counted for {@code metrics} and its entries for this node's ring given to
   * {@code events}.
   */
  static ResidentRuntime.PhaseRunner runner(
      Engine engine,
      Settings settings,
      Journald journald,
      Optional<NodeMetrics> metrics,
      Consumer<List<EventRing.Entry>> events) {
    PhaseRun phases = new PhaseRun(engine, settings, journald, metrics, events);
    // Hands the phase to a phase thread and returns: the future completes there (or, when a hook
    // timed out, on the phase thread the rest of the phase was handed to), which writes the answer.
    return (PhaseCall call, PrintStream out) ->
        phases
            .run(call.vmid(), call.phase(), call.migratedFrom(), PhaseRun.Output.taskLog(out))
            .toCompletionStage();
  }
}
