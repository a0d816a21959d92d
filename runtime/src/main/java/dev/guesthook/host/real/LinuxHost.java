package dev.guesthook.host.real;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.FileBackedHost;
import java.nio.file.Path;

/** The real host: files under the root directory (normally {@code /}) and real processes. */
public final class LinuxHost extends FileBackedHost {
  private final FileTree tree;
  private final ProcessRunner processes = new ProcessRunner();

  public LinuxHost(Path root) {
    this(new FileTree(root));
  }

  private LinuxHost(FileTree tree) {
    super(tree);
    this.tree = tree;
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
