package dev.guesthook.host.real;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.SandboxMarker;
import dev.guesthook.host.tree.FileBackedHost;
import dev.guesthook.host.tree.FileTree;
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

  /**
   * The real host over {@code root}; refuses a sandbox, whose fake devices the real {@code ip} and
   * a legacy hookscript would otherwise be run against for real (a forgotten {@code --simulate}).
   */
  public static LinuxHost over(Path root) {
    if (SandboxMarker.isSandbox(root)) {
      throw new IllegalArgumentException(
          root
              + " is a sandbox (it holds "
              + SandboxMarker.PATH
              + "), not a real host: use --simulate to act on its simulated kernel");
    }
    return new LinuxHost(root);
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
