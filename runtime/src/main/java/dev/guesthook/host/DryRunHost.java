package dev.guesthook.host;

import dev.guesthook.host.sim.OverlayTree;

/**
 * A dry run over any host: reads see the host, writes land in a private overlay (so a hook that reads
 * back what it wrote behaves as it would for real), commands are planned and not run. The host is
 * left exactly as it was.
 */
public final class DryRunHost extends FileBackedHost {
  private final HostPort delegate;

  public DryRunHost(HostPort delegate) {
    super(new OverlayTree(delegate));
    this.delegate = delegate;
  }






  @Override
  public CommandResult run(HostCommand command) {
    return new CommandResult(CommandResult.Status.PLANNED, 0, "");
  }

  @Override
  public String describe() {
    return "dry run on " + delegate.describe();
  }
}
