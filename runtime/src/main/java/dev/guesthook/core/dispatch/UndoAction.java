package dev.guesthook.core.dispatch;

/** A step that puts back what a hook changed, run when a later pre-start hook fails. */
public record UndoAction(String description, Step step) {
  @FunctionalInterface
  public interface Step {
    void run() throws Exception;
  }
}
