package dev.guesthook.host.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.sim.DryRunHost;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A dry run over a sandbox: the simulated kernel over an overlay of the sandbox's tree. */
class DryRunOverSimulatedHostContractTest extends HostPortContract {
  @Override
  protected HostPort create(Path root) throws IOException {
    return new DryRunHost(SimulatedHostContractTest.sandbox(root));
  }

  /**
   * Deliberately different: a dry run plans every command that could change the host instead of
   * running it.
   */
  @Override
  @Test
  void aCommandThatFailsIsAResultNotAnException() throws Exception {
    check(h -> assertEquals(CommandResult.Status.PLANNED, h.run(HostCommand.of("false")).status()));
  }
}
