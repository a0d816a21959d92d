package dev.guesthook.hookhost;

import dev.guesthook.dispatch.Hook;
import java.util.List;
import java.util.Optional;

/**
 * The hooks found for one run, in run order, with what was refused or ignored and why, and how many
 * hook files were compiled versus taken from the cache.
 */
public record HookCatalog(
    List<Hook> hooks, List<Notice> notices, int compiled, int cached, Optional<String> cacheProblem) {

  /** Something about a file in a hook folder that the admin should know. */
  public record Notice(String file, Severity severity, String message) {}

  public enum Severity {
    /** The file is not used as a hook, on purpose (masked, not executable, editor backup). */
    IGNORED,
    /** The file was refused or could not be loaded. */
    ERROR
  }

  public List<Notice> errors() {
    return notices.stream().filter(n -> n.severity() == Severity.ERROR).toList();
  }

  /** The load error of a hook, when it stands for a file that could not be loaded. */
  public static Optional<String> loadError(Hook hook) {
    return hook instanceof BrokenHook broken ? Optional.of(broken.error()) : Optional.empty();
  }
}
