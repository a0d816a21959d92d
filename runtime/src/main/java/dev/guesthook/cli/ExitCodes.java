package dev.guesthook.cli;

/** Exit codes of the guesthook command; Proxmox only distinguishes zero from non-zero. */
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
}
