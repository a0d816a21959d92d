package dev.guesthook.lock;

/** A lock file that could not be made or locked (permissions, full disk). */
public class LockException extends RuntimeException {
  public LockException(String message, Throwable cause) {
    super(message, cause);
  }

  protected LockException(String message) {
    super(message);
  }
}
