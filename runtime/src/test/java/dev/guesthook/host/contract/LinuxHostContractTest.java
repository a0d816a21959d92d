package dev.guesthook.host.contract;

import dev.guesthook.host.HostPort;
import dev.guesthook.host.real.LinuxHost;
import java.nio.file.Path;

/** The real host over a temporary root: the reference every other implementation is held to. */
class LinuxHostContractTest extends HostPortContract {
  @Override
  protected HostPort create(Path root) {
    return LinuxHost.over(root);
  }
}
