package dev.guesthook.lock;

import java.time.Duration;

/** Still held by someone else when the wait ran out; says by whom. */
public final class LockTimeoutException extends LockException {
  public LockTimeoutException(String key, Duration waited, String holder) {
    super("waited " + waited.toMillis() + " ms for lock " + key + ", held by " + holder);
  }
}
