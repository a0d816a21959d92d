package dev.guesthook.host.real;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.KernelWrites;
import dev.guesthook.host.SandboxMarker;
import dev.guesthook.host.tree.FileBackedHost;
import dev.guesthook.host.tree.FileTree;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The real host: files under the root directory (normally {@code /}) and real processes; risky
 * kernel writes in a helper process each, under {@link KernelWrites}' watch.
 */
public final class LinuxHost extends FileBackedHost {
  private final FileTree tree;
  private final ProcessRunner processes = new ProcessRunner();
  private final KernelWrites kernelWrites;

  public LinuxHost(Path root) {
    this(new FileTree(root), KernelWrites.DEADLINE);
  }

  /** The real host with another deadline for risky writes (tests). */
  LinuxHost(FileTree tree, Duration writeDeadline) {
    super(tree);
    this.tree = tree;
    this.kernelWrites =
        new KernelWrites(tree, new HelperWrites(tree), writeDeadline, Clock.systemUTC());
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
  public void write(HostPath path, String value) {
    kernelWrites.write(path, value, () -> tree.write(path, value));
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
