package dev.guesthook.install;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code guesthook install} or {@code uninstall} will do, step by step, before it does any of it:
 * {@code --dry-run} prints it; otherwise the steps run in order and the first failure stops the rest.
 * Refusals (a storage that cannot hold snippets, a hookscript that cannot be kept) leave no step.
 */
public final class Plan {
  /** One change, said in words and then made. */
  public record Step(String description, Action action) {}

  @FunctionalInterface
  public interface Action {
    void run() throws Exception;
  }

  private final List<Step> steps = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<String> refusals = new ArrayList<>();
  private final List<String> unchanged = new ArrayList<>();

  void step(String description, Action action) {
    steps.add(new Step(description, action));
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

  /** Runs the steps in order; returns what was done, or throws at the first that fails (naming it). */
  public List<String> apply() {
    List<String> done = new ArrayList<>();
    for (Step step : steps) {
      try {
        step.action().run();
      } catch (Exception e) {
        throw new InstallException(step.description() + ": " + e.getMessage()
            + (done.isEmpty() ? "" : " (done before it: " + String.join("; ", done) + ")"));
      }
      done.add(step.description());
    }
    return done;
  }
}
