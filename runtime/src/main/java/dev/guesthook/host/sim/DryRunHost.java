package dev.guesthook.host.sim;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.tree.FileBackedHost;
import dev.guesthook.host.tree.OverlayTree;

/**
 * A dry run over any host: reads see the host; writes land in a private overlay where the simulated
 * kernel applies their effect (so a hook that reads back what it wrote, or waits for a device to
 * appear, behaves as it would for real); commands that only look ({@link HostCommand#readOnly()})
 * run on the host, all others are planned, not run. The host is left exactly as it was.
 */
public final class DryRunHost extends FileBackedHost {
  private final HostPort delegate;
  private final SimulatedHost kernel;

  public DryRunHost(HostPort delegate) {
    this(delegate, new SimulatedHost(new OverlayTree(delegate), "dry run"));
  }

  private DryRunHost(HostPort delegate, SimulatedHost kernel) {
    super(kernel);
    this.delegate = delegate;
    this.kernel = kernel;
  }

  /**
   * Queries see the host as the dry run has changed it so far: over a simulated host the kernel
   * model answers them from the overlay; over a real host they run for real (they only look).
   */
  @Override
  public CommandResult run(HostCommand command) {
    if (!command.readOnly()) {
      return new CommandResult(CommandResult.Status.PLANNED, 0, "");
    }
    return delegate instanceof SimulatedHost ? kernel.run(command) : delegate.run(command);
  }

  @Override
  public String describe() {
    return "dry run on " + delegate.describe();
  }
}
