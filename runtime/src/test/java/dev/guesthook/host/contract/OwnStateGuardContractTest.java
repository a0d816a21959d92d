package dev.guesthook.host.contract;

import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.tree.OwnStateGuard;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The own-state guard over a sandbox: a port like any other, but no file of guesthook's locks or
 * journals is opened, changed or listed.
 */
class OwnStateGuardContractTest extends HostPortContract {
  private static final HostPath LOCK = HostPath.parse("/run/guesthook/locks/vm-100.lock");
  private static final HostPath JOURNAL = HostPath.parse("/var/lib/guesthook/journal/100.jsonl");

  @Override
  protected HostPort create(Path root) throws IOException {
    return new OwnStateGuard(SimulatedHostContractTest.sandbox(root));
  }

  @Test
  void refusesToOpenChangeOrListGuesthooksOwnFilesWithEperm() throws Exception {
    check(
        h -> {
          assertErrno("EPERM", () -> h.read(LOCK));
          assertErrno("EPERM", () -> h.readBytes(LOCK, 16));
          assertErrno("EPERM", () -> h.list(LOCK));
          assertErrno("EPERM", () -> h.write(JOURNAL, "{}"));
          assertErrno("EPERM", () -> h.delete(JOURNAL));
          assertErrno("EPERM", () -> h.createDirectories(LOCK));
          assertErrno("EPERM", () -> h.readLocked(CONFIG, LOCK));
        });
  }
}
