package dev.guesthook.host.contract;

import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.ConfigLockGuard;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The config-lock guard over a sandbox: it refuses only the qm/pct commands that would deadlock.
 */
class ConfigLockGuardContractTest extends HostPortContract {
  @Override
  protected HostPort create(Path root) throws IOException {
    return new ConfigLockGuard(SimulatedHostContractTest.sandbox(root), VmId.parse("100"));
  }

  @Test
  void refusesAQmSetOfItsOwnGuestWithEdeadlk() throws Exception {
    check(
        h ->
            assertErrno(
                "EDEADLK", () -> h.run(HostCommand.of("qm", "set", "100", "--memory", "1024"))));
  }
}
