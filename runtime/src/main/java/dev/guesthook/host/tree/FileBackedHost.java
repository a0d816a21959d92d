package dev.guesthook.host.tree;

import dev.guesthook.host.HostFiles;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import java.util.List;
import java.util.Optional;

/**
 * A host whose files come from one place (a tree, an overlay, another port); subclasses decide
 * commands.
 */
public abstract class FileBackedHost implements HostPort {
  private final HostFiles files;

  protected FileBackedHost(HostFiles files) {
    this.files = files;
  }

  @Override
  public String read(HostPath path) {
    return files.read(path);
  }

  @Override
  public byte[] readBytes(HostPath path, int max) {
    return files.readBytes(path, max);
  }

  @Override
  public String readLocked(HostPath path, HostPath lock) {
    return files.readLocked(path, lock);
  }

  @Override
  public void write(HostPath path, String value) {
    files.write(path, value);
  }

  @Override
  public boolean exists(HostPath path) {
    return files.exists(path);
  }

  @Override
  public List<String> list(HostPath directory) {
    return files.list(directory);
  }

  @Override
  public void createDirectories(HostPath directory) {
    files.createDirectories(directory);
  }

  @Override
  public void delete(HostPath path) {
    files.delete(path);
  }

  @Override
  public long usableBytes(HostPath path) {
    return files.usableBytes(path);
  }

  @Override
  public Optional<HostPath> readLink(HostPath path) {
    return files.readLink(path);
  }
}
