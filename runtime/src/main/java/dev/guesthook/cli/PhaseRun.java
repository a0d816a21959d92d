package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.core.event.Phase;
import dev.guesthook.engine.Engine;
import dev.guesthook.id.VmId;
import dev.guesthook.journald.Journald;
import dev.guesthook.journald.PhaseJournal;
import dev.guesthook.journald.Priority;
import dev.guesthook.metrics.NodeMetrics;
import dev.guesthook.metrics.PhaseSample;
import io.vertx.core.Future;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

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
  record Output(PrintStream log, PrintStream errors, Optional<PrintStream> json) {
    /** {@code serve}: everything to the client's stream, which its task log shows. */
    static Output taskLog(PrintStream out) {
      return new Output(out, out, Optional.empty());
    }
  }

  private final Engine engine;
  private final Settings settings;
  private final Journald journald;
  private final Optional<NodeMetrics> metrics;

  PhaseRun(Engine engine, Settings settings, Journald journald, Optional<NodeMetrics> metrics) {
    this.engine = engine;
    this.settings = settings;
    this.journald = journald;
    this.metrics = metrics;
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
    long started = System.nanoTime();
    return engine
        .run(vmid, phase, migratedFrom, printed)
        .map(
            run -> {
              counted(phase, run.result().overall(), started, timedOut(run.result()), printed);
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
              counted(phase, "refused", started, List.of(), printed);
              return Future.succeededFuture(ExitCodes.USAGE);
            });
  }

  /** Counts the phase for the metrics; written after it has answered (ClusterPublishing). */
  private void counted(
      Phase phase, String outcome, long started, List<String> timedOut, PrintedPhase printed) {
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    metrics.ifPresent(
        m ->
            m.count(
                new PhaseSample(
                    phase.wireName(),
                    outcome,
                    millis,
                    timedOut,
                    printed.putBack(),
                    printed.notPutBack())));
  }

  private static List<String> timedOut(DispatchResult result) {
    return result.hooks().stream()
        .filter(hook -> hook.status() == HookOutcome.Status.TIMED_OUT)
        .map(HookOutcome::hook)
        .toList();
  }
}
