package dev.guesthook.host.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.host.sim.DryRunHost;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A dry run over the real host: it must read as the host does, and change nothing below it. */
class DryRunOverLinuxHostContractTest extends HostPortContract {
  @Override
  protected HostPort create(Path root) {
    return new DryRunHost(LinuxHost.over(root));
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
