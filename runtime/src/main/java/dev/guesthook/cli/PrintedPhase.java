package dev.guesthook.cli;

import dev.guesthook.engine.PhaseListener;
import dev.guesthook.event.LifecycleEvent;
import java.io.PrintStream;

/** Prints a phase for the task log: the header first, then hook lines as they come. */
class PrintedPhase implements PhaseListener {
  private final PrintStream out;
  private final boolean dryRun;

  PrintedPhase(PrintStream out, boolean dryRun) {
    this.out = out;
    this.dryRun = dryRun;
  }

  @Override
  public void started(LifecycleEvent event, int hooks) {
    out.println(Report.header(event, hooks, dryRun));
    // Lines Proxmox itself skips with a warning are left out here too; the task log says which.
    event.config().problems().forEach(problem -> out.println("guesthook: warning: " + problem + " (line ignored)"));
  }

  @Override
  public void line(String line) {
    out.println(line);
  }
}
