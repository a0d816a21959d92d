package dev.guesthook.host;

import dev.guesthook.host.sim.OverlayTree;
import dev.guesthook.host.sim.SimulatedHost;

/**
 * A dry run over any host: reads see the host; writes land in a private overlay where the simulated
 * kernel applies their effect (so a hook that reads back what it wrote, or waits for a device to
 * appear, behaves as it would for real); commands that only look ({@link HostCommand#readOnly()}) run
 * on the host, all others are planned, not run. The host is left exactly as it was.
 */
public final class DryRunHost extends FileBackedHost {
  private final HostPort delegate;

  public DryRunHost(HostPort delegate) {
    this(delegate, new SimulatedHost(new OverlayTree(delegate), "dry run"));
  }

  private DryRunHost(HostPort delegate, SimulatedHost kernel) {
    super(kernel);
    this.delegate = delegate;
  }

  @Override
  public CommandResult run(HostCommand command) {
    return command.readOnly() ? delegate.run(command) : new CommandResult(CommandResult.Status.PLANNED, 0, "");
  }

  @Override
  public String describe() {
    return "dry run on " + delegate.describe();
  }
}
