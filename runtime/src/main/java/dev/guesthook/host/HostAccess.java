package dev.guesthook.host;

import java.util.Optional;

/**
 * Whether a call may reach the host now ({@link RevocableHost}): a call that may is under way from
 * {@link #enter} to {@link #leave}, so whoever closes the access can wait for it to end.
 */
public interface HostAccess {
  /**
   * Empty when the calling thread's call may go on (and must then {@link #leave}); else why not.
   */
  Optional<String> enter();

  /** The call {@link #enter} let through has ended. */
  void leave();
}
