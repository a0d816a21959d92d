package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.config.Settings;
import dev.guesthook.core.event.Phase;
import dev.guesthook.engine.Engine;
import dev.guesthook.id.VmId;
import dev.guesthook.journald.Journald;
import dev.guesthook.journald.PhaseJournal;
import dev.guesthook.journald.Priority;
import io.vertx.core.Future;
import java.io.PrintStream;
import java.util.Optional;

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

  PhaseRun(Engine engine, Settings settings, Journald journald) {
    this.engine = engine;
    this.settings = settings;
    this.journald = journald;
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
    return engine
        .run(vmid, phase, migratedFrom, printed)
        .map(
            run -> {
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
              return Future.succeededFuture(ExitCodes.USAGE);
            });
  }
}
