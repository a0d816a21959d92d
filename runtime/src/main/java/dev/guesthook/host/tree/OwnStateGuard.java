package dev.guesthook.host.tree;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.OwnState;
import java.util.List;

/**
 * The port a phase's hooks get: every call goes to {@code delegate}, but a file in guesthook's
 * locks or journals ({@link OwnState}) is neither opened nor changed. A hook reading its guest's
 * lock file closed it after, and the kernel dropped the lock the phase held; a hook changing a
 * journal changes what a reconcile takes from which device. Looking (exists, links) opens no file
 * there and is let through, and so is listing the folders themselves; listing anything in them is
 * not: Java opens the path to list it, a lock file too, and closes it on finding no folder
 * (adversary pass: a hook walking /run/guesthook by trying list on each entry let another process
 * take its guest).
 */
public final class OwnStateGuard extends FileBackedHost {
  private final HostPort delegate;

  public OwnStateGuard(HostPort delegate) {
    super(delegate);
    this.delegate = delegate;
  }

  @Override
  public String read(HostPath path) {
    return super.read(refusedIfOwn(path));
  }

  @Override
  public byte[] readBytes(HostPath path, int max) {
    return super.readBytes(refusedIfOwn(path), max);
  }

  @Override
  public String readLocked(HostPath path, HostPath lock) {
    return super.readLocked(refusedIfOwn(path), refusedIfOwn(lock));
  }

  @Override
  public void write(HostPath path, String value) {
    super.write(refusedIfOwn(path), value);
  }

  @Override
  public List<String> list(HostPath directory) {
    return super.list(OwnState.isAFolder(directory) ? directory : refusedIfOwn(directory));
  }

  @Override
  public void createDirectories(HostPath directory) {
    super.createDirectories(refusedIfOwn(directory));
  }

  @Override
  public void delete(HostPath path) {
    super.delete(refusedIfOwn(path));
  }

  @Override
  public CommandResult run(HostCommand command) {
    return delegate.run(command);
  }

  @Override
  public String describe() {
    return delegate.describe();
  }

  private static HostPath refusedIfOwn(HostPath path) {
    if (OwnState.holds(path)) {
      throw new HostException(
          "EPERM",
          path
              + ": guesthook's own locks and journals are not a hook's to open or change (opening"
              + " a lock file drops the lock the phase holds; a journal tells a reconcile what to"
              + " put back); fix: keep the hook's own data in its state (the hook API's state)");
    }
    return path;
  }
}
