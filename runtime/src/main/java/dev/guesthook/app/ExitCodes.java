package dev.guesthook.app;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.yaml.ConfigException;

/**
 * Exit codes of the guesthook command, one-shot or answered by {@code serve}, and the one place a
 * phase's outcome or failure becomes one; Proxmox only distinguishes zero from non-zero.
 */
public final class ExitCodes {
  /** All hooks succeeded, or a non-pre-start phase had failures that are only reported. */
  public static final int OK = 0;

  /** A pre-start hook failed (the start is aborted and changes were undone), or strict mode. */
  public static final int HOOK_FAILED = 1;

  /** Bad arguments, configuration or guest config; nothing was run and nothing changed. */
  public static final int USAGE = 2;

  /** guesthook itself failed unexpectedly. */
  public static final int INTERNAL = 3;

  private ExitCodes() {}

  /**
   * A dispatched phase's code: a failed pre-start fails, other phases' failures only with --strict.
   */
  public static int ofPhase(DispatchResult result, boolean strict) {
    return result.exitCode(strict);
  }

  /**
   * Whether a failure is the admin's to fix (settings, arguments, guest config): nothing ran then.
   */
  public static boolean isUsage(Throwable failure) {
    return failure instanceof ConfigException || failure instanceof PveFileException;
  }

  /**
   * A phase that could not run: {@link #USAGE} for what {@link #isUsage} names, else {@link
   * #INTERNAL}.
   */
  public static int ofFailure(Throwable failure) {
    return isUsage(failure) ? USAGE : INTERNAL;
  }
}
