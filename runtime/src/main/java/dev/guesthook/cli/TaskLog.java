package dev.guesthook.cli;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.engine.PhaseListener;
import dev.guesthook.guest.LifecycleEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A phase's task log as {@code guesthook <vmid> <phase>} prints it, kept as lines: for a tool that
 * runs phases itself (the hook authors' test kit) and must show what a node would. Listen to the
 * phase with it, then {@link #report} its result; the lines are {@link PrintedPhase}'s, not a copy.
 */
public final class TaskLog implements PhaseListener {
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintedPhase phase =
      new PrintedPhase(new PrintStream(printed, true, StandardCharsets.UTF_8), false);

  @Override
  public void started(LifecycleEvent event, int hooks) {
    phase.started(event, hooks);
  }

  @Override
  public void line(String line) {
    phase.line(line);
  }

  @Override
  public void hookLine(HookLine line) {
    phase.hookLine(line);
  }

  /**
   * Prints the phase's outcome, hook by hook (ok, skipped or FAILED with its message), then its
   * summary, as the CLI does without {@code --strict}.
   *
   * @param result the phase's result
   */
  public void report(DispatchResult result) {
    phase.report(result, false);
  }

  /**
   * Prints a phase refused before any hook ran (a settings error: the phase exits 2) as the CLI
   * does: {@code guesthook: error: <message>}.
   *
   * @param message why, with the file, line and fix
   */
  public void refused(String message) {
    phase.line(Console.errorLine(message));
  }

  /**
   * Every line printed so far, in order.
   *
   * @return the task log's lines
   */
  public List<String> lines() {
    return printed.toString(StandardCharsets.UTF_8).lines().toList();
  }
}
