package dev.guesthook.host.real;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The real host: files under the root directory (normally {@code /}) and real processes. */
public final class LinuxHost implements HostPort {
  private final FileTree tree;
  private final ProcessRunner processes = new ProcessRunner();

  public LinuxHost(Path root) {
    this.tree = new FileTree(root);
  }

  @Override
  public String read(HostPath path) {
    return tree.read(path);
  }

  @Override
  public void write(HostPath path, String value) {
    tree.write(path, value);
  }

  @Override
  public boolean exists(HostPath path) {
    return tree.exists(path);
  }

  @Override
  public List<String> list(HostPath directory) {
    return tree.list(directory);
  }

  @Override
  public Optional<HostPath> readLink(HostPath path) {
    return tree.readLink(path);
  }

  @Override
  public CommandResult run(HostCommand command) {
    return processes.run(command);
  }

  @Override
  public String describe() {
    return "host " + tree.root();
  }
}
