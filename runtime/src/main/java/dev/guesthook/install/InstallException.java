package dev.guesthook.install;

/** A step of an install or uninstall that failed; its message names the step. */
public final class InstallException extends RuntimeException {
  public InstallException(String message) {
    super(message);
  }
}
