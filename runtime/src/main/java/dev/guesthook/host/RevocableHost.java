package dev.guesthook.host;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A port that refuses calls its {@link HostAccess} does not let through, without touching the host.
 * A hook abandoned after its timeout may still be running, and a thread a hook started may outlive
 * it; once the phase has gone on (and a pre-start was rolled back), nothing they do may reach the
 * host. Reads are refused too: what they read can only feed a change, and a read may take a lock
 * (readLocked) that the next phase then waits for. A call let through is under way until it
 * returns, so the access can wait for it before the phase goes on.
 */
public final class RevocableHost implements HostPort {
  private final HostPort delegate;
  private final HostAccess access;

  public RevocableHost(HostPort delegate, HostAccess access) {
    this.delegate = delegate;
    this.access = access;
  }

  @Override
  public String read(HostPath path) {
    return through("read " + path, () -> delegate.read(path));
  }

  @Override
  public byte[] readBytes(HostPath path, int max) {
    return through("read " + path, () -> delegate.readBytes(path, max));
  }

  @Override
  public String readLocked(HostPath path, HostPath lock) {
    return through("read " + path, () -> delegate.readLocked(path, lock));
  }

  @Override
  public void write(HostPath path, String value) {
    through(
        "write " + path,
        () -> {
          delegate.write(path, value);
          return null;
        });
  }

  @Override
  public boolean exists(HostPath path) {
    return through("exists " + path, () -> delegate.exists(path));
  }

  @Override
  public List<String> list(HostPath directory) {
    return through("list " + directory, () -> delegate.list(directory));
  }

  @Override
  public void createDirectories(HostPath directory) {
    through(
        "mkdir " + directory,
        () -> {
          delegate.createDirectories(directory);
          return null;
        });
  }

  @Override
  public void delete(HostPath path) {
    through(
        "delete " + path,
        () -> {
          delegate.delete(path);
          return null;
        });
  }

  @Override
  public long usableBytes(HostPath path) {
    return through("statvfs " + path, () -> delegate.usableBytes(path));
  }

  @Override
  public Optional<HostPath> readLink(HostPath path) {
    return through("readlink " + path, () -> delegate.readLink(path));
  }

  @Override
  public CommandResult run(HostCommand command) {
    return through("'" + command.display() + "'", () -> delegate.run(command));
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  /**
   * Runs {@code work} as one call {@code access} lets through, or refuses it (ECANCELED, "refused
   * {@code call}: why"): also the whole of a device operation, so one begun may end whole.
   */
  public static <T> T through(HostAccess access, String call, Supplier<T> work) {
    Optional<String> why = access.enter();
    if (why.isPresent()) {
      throw new HostException("ECANCELED", "refused " + call + ": " + why.get());
    }
    try {
      return work.get();
    } finally {
      access.leave();
    }
  }

  private <T> T through(String call, Supplier<T> work) {
    return through(access, call, work);
  }
}
