package dev.guesthook.host;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A port that refuses every call once revoked, without touching the host. A hook abandoned after
 * its timeout may still be running, and a thread a hook started may outlive it; once the phase has
 * gone on (and a pre-start was rolled back), nothing they do may reach the host. Reads are refused
 * too: what they read can only feed a change, and a read may take a lock (readLocked) that the next
 * phase then waits for.
 */
public final class RevocableHost implements HostPort {
  private final HostPort delegate;
  private final Supplier<Optional<String>> refusal;

  /**
   * {@code refusal} says, for the calling thread, why its calls are refused now (empty while they
   * are permitted); it ends the refusal's message: "refused write /sys/...: " + why.
   */
  public RevocableHost(HostPort delegate, Supplier<Optional<String>> refusal) {
    this.delegate = delegate;
    this.refusal = refusal;
  }

  @Override
  public String read(HostPath path) {
    permit("read " + path);
    return delegate.read(path);
  }

  @Override
  public byte[] readBytes(HostPath path, int max) {
    permit("read " + path);
    return delegate.readBytes(path, max);
  }

  @Override
  public String readLocked(HostPath path, HostPath lock) {
    permit("read " + path);
    return delegate.readLocked(path, lock);
  }

  @Override
  public void write(HostPath path, String value) {
    permit("write " + path);
    delegate.write(path, value);
  }

  @Override
  public boolean exists(HostPath path) {
    permit("exists " + path);
    return delegate.exists(path);
  }

  @Override
  public List<String> list(HostPath directory) {
    permit("list " + directory);
    return delegate.list(directory);
  }

  @Override
  public void createDirectories(HostPath directory) {
    permit("mkdir " + directory);
    delegate.createDirectories(directory);
  }

  @Override
  public void delete(HostPath path) {
    permit("delete " + path);
    delegate.delete(path);
  }

  @Override
  public long usableBytes(HostPath path) {
    permit("statvfs " + path);
    return delegate.usableBytes(path);
  }

  @Override
  public Optional<HostPath> readLink(HostPath path) {
    permit("readlink " + path);
    return delegate.readLink(path);
  }

  @Override
  public CommandResult run(HostCommand command) {
    permit("'" + command.display() + "'");
    return delegate.run(command);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  private void permit(String call) {
    Optional<String> why = refusal.get();
    if (why.isPresent()) {
      throw new HostException("ECANCELED", "refused " + call + ": " + why.get());
    }
  }
}
