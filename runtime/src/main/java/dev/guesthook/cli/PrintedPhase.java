package dev.guesthook.cli;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.engine.PhaseListener;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.journald.PhaseJournal;
import dev.guesthook.journald.Priority;
import java.io.PrintStream;
import java.util.Optional;

/**
 * Prints a phase for the task log: the header first, then hook lines as they come, then the report;
 * and gives each line to the journal too, with the guest, phase and hook it is about.
 */
class PrintedPhase implements PhaseListener {
  private final PrintStream out;
  private final boolean dryRun;
  private final Optional<PhaseJournal> journal;

  PrintedPhase(PrintStream out, boolean dryRun) {
    this(out, dryRun, Optional.empty());
  }

  PrintedPhase(PrintStream out, boolean dryRun, Optional<PhaseJournal> journal) {
    this.out = out;
    this.dryRun = dryRun;
    this.journal = journal;
  }

  @Override
  public void started(LifecycleEvent event, int hooks) {
    say(Optional.empty(), Priority.INFO, Report.header(event, hooks, dryRun));
    // Lines Proxmox itself skips with a warning are left out here too; the task log says which.
    event
        .config()
        .problems()
        .forEach(
            problem ->
                say(
                    Optional.empty(),
                    Priority.WARNING,
                    "guesthook: warning: " + problem + " (line ignored)"));
  }

  /**
   * guesthook's own lines are warnings or errors when they say so, in the CLI's one format for
   * them.
   */
  @Override
  public void line(String line) {
    say(
        Optional.empty(),
        line.startsWith("guesthook: warning: ")
            ? Priority.WARNING
            : line.startsWith("guesthook: error: ") ? Priority.ERR : Priority.INFO,
        line);
  }

  @Override
  public void hookLine(HookLine line) {
    line.taskLog().forEach(out::println);
    journal.ifPresent(to -> to.hookLine(line));
  }

  /** The phase's outcome, hook by hook, then its summary. */
  void report(DispatchResult result, boolean strict) {
    // One write for the whole report: each line written alone woke the hookscript client (and
    // through it Proxmox's task log) once a line, where the report is ready at once.
    StringBuilder report = new StringBuilder();
    Report.human(
        result,
        strict,
        dryRun,
        (hook, priority, text) -> {
          report.append(text).append(System.lineSeparator());
          journal.ifPresent(to -> to.line(hook, priority, text));
        });
    out.print(report);
    out.flush();
  }

  /** A line that is only for the journal: the task log has it already, said another way. */
  void journalOnly(Priority priority, String text) {
    journal.ifPresent(to -> to.line(Optional.empty(), priority, text));
  }

  private void say(Optional<String> hook, Priority priority, String text) {
    out.println(text);
    journal.ifPresent(to -> to.line(hook, priority, text));
  }
}
