package dev.guesthook.install;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What {@code guesthook install} or {@code uninstall} will do, step by step, before it does any of
 * it: {@code --dry-run} prints it; otherwise the steps run in order, and the first failure stops
 * the rest and takes back the steps done before it, newest first, so a failed install leaves the
 * node as it was. Refusals (a storage that cannot hold snippets, a hookscript that cannot be kept)
 * leave no step.
 */
public final class Plan {
  /** One change, said in words and then made, and how to take it back. */
  public record Step(String description, Action action, Action undo) {}

  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  private final List<Step> steps = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<String> refusals = new ArrayList<>();
  private final List<String> unchanged = new ArrayList<>();

  void step(String description, Action action, Action undo) {
    steps.add(new Step(description, action, undo));
  }

  void warn(String warning) {
    warnings.add(warning);
  }

  void refuse(String refusal) {
    refusals.add(refusal);
  }

  void unchanged(String what) {
    unchanged.add(what);
  }

  public List<Step> steps() {
    return List.copyOf(steps);
  }

  public List<String> warnings() {
    return List.copyOf(warnings);
  }

  public List<String> refusals() {
    return List.copyOf(refusals);
  }

  public List<String> unchanged() {
    return List.copyOf(unchanged);
  }

  /**
   * Runs the steps in order; returns what was done, or takes it back and throws at the first that
   * fails (naming it).
   */
  public List<String> apply() {
    List<Step> done = new ArrayList<>();
    for (Step step : steps) {
      try {
        step.action().run();
      } catch (Exception e) {
        throw new InstallException(step.description() + ": " + e.getMessage() + takeBack(done));
      }
      done.add(step);
    }
    return done.stream().map(Step::description).toList();
  }

  /** Undoes the steps done, newest first; says what was put back, and what could not be. */
  private static String takeBack(List<Step> done) {
    List<String> putBack = new ArrayList<>();
    List<String> notPutBack = new ArrayList<>();
    List<Step> newestFirst = new ArrayList<>(done);
    Collections.reverse(newestFirst);
    for (Step step : newestFirst) {
      try {
        step.undo().run();
        putBack.add(step.description());
      } catch (Exception e) {
        notPutBack.add(step.description() + " (" + e.getMessage() + ")");
      }
    }
    return (putBack.isEmpty() ? "" : "; taken back: " + String.join("; ", putBack))
        + (notPutBack.isEmpty()
            ? ""
            : "; NOT taken back, do it by hand: " + String.join("; ", notPutBack));
  }
}
