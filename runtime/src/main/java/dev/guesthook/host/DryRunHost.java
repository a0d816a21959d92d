package dev.guesthook.host;

import dev.guesthook.host.sim.OverlayTree;
import java.util.List;
import java.util.Optional;

/**
 * A dry run over any host: reads see the host, writes land in a private overlay (so a hook that reads
 * back what it wrote behaves as it would for real), commands are planned and not run. The host is
 * left exactly as it was.
 */
public final class DryRunHost implements HostPort {
  private final HostPort delegate;
  private final OverlayTree overlay;

  public DryRunHost(HostPort delegate) {
    this.delegate = delegate;
    this.overlay = new OverlayTree(delegate);
  }

  @Override
  public String read(HostPath path) {
    return overlay.read(path);
  }

  @Override
  public void write(HostPath path, String value) {
    overlay.write(path, value);
  }

  @Override
  public boolean exists(HostPath path) {
    return overlay.exists(path);
  }

  @Override
  public List<String> list(HostPath directory) {
    return overlay.list(directory);
  }

  @Override
  public Optional<HostPath> readLink(HostPath path) {
    return overlay.readLink(path);
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
