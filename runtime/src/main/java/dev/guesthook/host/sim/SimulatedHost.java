package dev.guesthook.host.sim;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.real.LinuxHost;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A simulated Linux host over the tree under a root directory: the files are read from that tree,
 * every change stays in memory. Commands the simulator has no model of are reported as not
 * simulated instead of being run or faked.
 */
public final class SimulatedHost implements HostPort {
  private final OverlayTree tree;
  private final Path root;

  public SimulatedHost(Path root) {
    this.root = root;
    this.tree = new OverlayTree(new LinuxHost(root));
  }

  /** The simulated state, for kernel models and for tests that inspect it. */
  public OverlayTree tree() {
    return tree;
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
    return new CommandResult(
        CommandResult.Status.NOT_SIMULATED, 127, "not simulated: " + command.display() + "\n");
  }

  @Override
  public String describe() {
    return "simulated host over " + root;
  }
}
