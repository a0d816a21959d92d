package dev.guesthook.host.contract;

import dev.guesthook.host.HostPort;
import dev.guesthook.host.SandboxMarker;
import dev.guesthook.host.sim.SimulatedHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The simulated kernel over a sandbox holding the contract's tree. */
class SimulatedHostContractTest extends HostPortContract {
  @Override
  protected HostPort create(Path root) throws IOException {
    return sandbox(root);
  }

  static SimulatedHost sandbox(Path root) throws IOException {
    Path marker = SandboxMarker.PATH.under(root);
    Files.createDirectories(marker.getParent());
    Files.writeString(marker, "");
    return SimulatedHost.sandbox(root);
  }
}
