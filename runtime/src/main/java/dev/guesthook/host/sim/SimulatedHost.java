package dev.guesthook.host.sim;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.FileBackedHost;
import dev.guesthook.host.real.FileTree;
import java.nio.file.Path;

/**
 * A simulated Linux host over the tree under a root directory: the files are read from that tree,
 * every change stays in memory. Commands the simulator has no model of are reported as not
 * simulated instead of being run or faked.
 */
public final class SimulatedHost extends FileBackedHost {
  private final OverlayTree tree;
  private final Path root;

  public SimulatedHost(Path root) {
    this(root, new OverlayTree(new FileTree(root)));
  }

  private SimulatedHost(Path root, OverlayTree tree) {
    super(tree);
    this.root = root;
    this.tree = tree;
  }

  /** The simulated state, for kernel models and for tests that inspect it. */
  public OverlayTree tree() {
    return tree;
  }






  @Override
  public CommandResult run(HostCommand command) {
    return new CommandResult(
        CommandResult.Status.NOT_SIMULATED, 127, "not simulated: " + command.display() + "\n");
  }

  @Override
  public String describe() {
    return "simulated host over " + root;
  }
}
