package dev.guesthook.host;

/**
 * A host operation that failed, with the errno name the kernel gave (ENOENT, EINVAL, EBUSY, ...) so
 * hooks and tests can tell failures apart, and the path or command in the message.
 */
public class HostException extends RuntimeException {
  private final String errno;

  public HostException(String errno, String message) {
    super(message);
    this.errno = errno;
  }

  public String errno() {
    return errno;
  }
}
