package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.cluster.EventEntries;
import dev.guesthook.cluster.EventRing;
import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.core.event.Phase;
import dev.guesthook.engine.Engine;
import dev.guesthook.engine.PhaseListener;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Reconciler;
import dev.guesthook.journald.Journald;
import dev.guesthook.journald.PhaseJournal;
import dev.guesthook.journald.Priority;
import dev.guesthook.metrics.NodeMetrics;
import dev.guesthook.metrics.PhaseSample;
import dev.guesthook.metrics.ReconcileSample;
import io.vertx.core.Future;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One phase as the hookscript call runs it, in its own process or answered by {@code serve}: the
 * task-log lines and journal entries as it goes, the report (or the {@code --json} document) at the
 * end, and the exit code. Both paths go through here, so Proxmox sees the same either way.
 */
final class PhaseRun {
  /**
   * Where a phase's text goes: the task log (hook lines and the report), guesthook's error line
   * when the phase cannot run, and the JSON document when one is asked for instead of the report.
   */
  record Output(
      PrintStream log, PrintStream errors, Optional<PrintStream> json, BooleanSupplier unheard) {
    /** The one-shot path: Proxmox reads the process's own output. */
    Output(PrintStream log, PrintStream errors, Optional<PrintStream> json) {
      this(log, errors, json, () -> false);
    }

    /**
     * {@code serve}: everything to the client's stream, which its task log shows; unheard once that
     * stream failed (the client was let go, or went away).
     */
    static Output taskLog(PrintStream out) {
      return new Output(out, out, Optional.empty(), out::checkError);
    }
  }

  private final Engine engine;
  private final Settings settings;
  private final Journald journald;
  private final Optional<NodeMetrics> metrics;
  private final Consumer<List<EventRing.Entry>> events;

  /**
   * {@code metrics}: counts each phase that ran; {@code events}: given each phase's entries for
   * this node's ring (the phase and what its reconciles put back), built from what the phase knows;
   * it keeps them for the publish that follows the answer.
   */
  PhaseRun(
      Engine engine,
      Settings settings,
      Journald journald,
      Optional<NodeMetrics> metrics,
      Consumer<List<EventRing.Entry>> events) {
    this.engine = engine;
    this.settings = settings;
    this.journald = journald;
    this.metrics = metrics;
    this.events = events;
  }

  /**
   * Completes with the exit code; a phase that could not run for the admin's reason (settings,
   * guest config) completes with {@link ExitCodes#USAGE} after its error line. Other failures fail
   * it.
   */
  Future<Integer> run(VmId vmid, Phase phase, Optional<String> migratedFrom, Output output) {
    PrintedPhase printed =
        new PrintedPhase(
            output.log(), settings.dryRun(), Optional.of(new PhaseJournal(journald, vmid, phase)));
    long start = System.nanoTime();
    Instant called = Instant.now();
    Reconciles reconciles = new Reconciles(printed, output.unheard());
    return engine
        .run(vmid, phase, migratedFrom, reconciles)
        .map(
            run -> {
              Duration took = Duration.ofNanos(System.nanoTime() - start);
              counted(phase, run.result().overall(), took, timedOut(run.result()), reconciles);
              noted(run, reconciles, took);
              if (output.json().isPresent()) {
                output
                    .json()
                    .get()
                    .println(Report.json(run.result(), settings.strict(), settings.dryRun()));
              } else {
                printed.report(run.result(), settings.strict());
              }
              return ExitCodes.ofPhase(run.result(), settings.strict());
            })
        .recover(
            error -> {
              String line = Console.errorLine(error.getMessage());
              printed.journalOnly(Priority.ERR, line);
              if (!ExitCodes.isUsage(error)) {
                return Future.failedFuture(error);
              }
              output.errors().println(line);
              Duration took = Duration.ofNanos(System.nanoTime() - start);
              counted(phase, EventEntries.REFUSED, took, List.of(), reconciles);
              if (!settings.dryRun()) {
                events.accept(
                    List.of(
                        EventEntries.refused(
                            vmid, phase, migratedFrom, error.getMessage(), called, took)));
              }
              return Future.succeededFuture(ExitCodes.USAGE);
            });
  }

  /** Counts the phase for the metrics; written after it has answered (ClusterPublishing). */
  private void counted(
      Phase phase, String outcome, Duration took, List<String> timedOut, Reconciles reconciles) {
    metrics.ifPresent(
        m ->
            m.count(
                new PhaseSample(
                    phase.wireName(),
                    outcome,
                    took.toMillis(),
                    timedOut,
                    reconciles.counted().putBack(),
                    reconciles.counted().failed())));
  }

  private static List<String> timedOut(DispatchResult result) {
    return result.hooks().stream()
        .filter(hook -> hook.status() == HookOutcome.Status.TIMED_OUT)
        .map(HookOutcome::hook)
        .toList();
  }

  /** The ring's entries of a phase that ran: in memory, read from nothing. */
  private void noted(Engine.Run run, Reconciles reconciles, Duration took) {
    if (settings.dryRun()) {
      return;
    }
    List<EventRing.Entry> entries = new ArrayList<>();
    entries.add(EventEntries.ofPhase(run.result(), took));
    reconciles.found.forEach(
        found ->
            entries.addAll(
                EventEntries.ofReconcile(List.of(found.result()), found.why(), found.at())));
    events.accept(entries);
  }

  /**
   * The task log's listener, keeping what the phase's reconciles found for the ring and metrics.
   */
  private static final class Reconciles implements PhaseListener {
    private final PhaseListener printed;
    private final BooleanSupplier unheard;
    private final List<Found> found = new ArrayList<>();

    /** One guest's reconcile, why and when. */
    private record Found(Reconciler.GuestResult result, String why, Instant at) {}

    Reconciles(PhaseListener printed, BooleanSupplier unheard) {
      this.printed = printed;
      this.unheard = unheard;
    }

    @Override
    public boolean unheard() {
      return unheard.getAsBoolean();
    }

    @Override
    public void started(LifecycleEvent event, int hooks) {
      printed.started(event, hooks);
    }

    @Override
    public void line(String line) {
      printed.line(line);
    }

    @Override
    public void hookLine(HookLine line) {
      printed.hookLine(line);
    }

    @Override
    public synchronized void reconciled(Reconciler.GuestResult result, String why) {
      found.add(new Found(result, why, Instant.now()));
    }

    /** What this phase's reconciles put back and failed to. */
    synchronized ReconcileSample counted() {
      return ClusterPublishing.counted(found.stream().map(Found::result).toList());
    }
  }
}
