package dev.guesthook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.core.event.Phase;
import dev.guesthook.devices.Ledger;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.testsupport.Engines;
import dev.guesthook.testsupport.Events;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every request the engine builds (a phase's, a replay's, check's) gives its hooks the same guarded
 * port: a replay guarded otherwise agreed with a recording of what the live phase refuses.
 */
class PhaseRequestsTest {
  @TempDir Path base;

  @Test
  void aRequestsPortRefusesGuesthooksOwnFilesAndItsGuestsConfigChanges() throws Exception {
    Path root = Files.createDirectories(base.resolve("root"));
    Path hooks = Files.createDirectories(base.resolve("hooks"));
    Files.createDirectories(root.resolve("run/guesthook/locks"));
    Files.writeString(root.resolve("run/guesthook/locks/vm-101.lock"), "\n");
    Vertx vertx = Vertx.vertx();
    try {
      PhaseRequest request =
          PhaseRequests.of(
              Events.of("101", Phase.PRE_START),
              new LinuxHost(root),
              Engines.settings(vertx, root, hooks),
              line -> {},
              hook -> Map.of(),
              false,
              Ledger.NONE);

      HostException read =
          assertThrows(
              HostException.class,
              () -> request.host().read(HostPath.parse("/run/guesthook/locks/vm-101.lock")));
      assertEquals("EPERM", read.errno(), read::getMessage);
      HostException qmSet =
          assertThrows(
              HostException.class,
              () -> request.host().run(HostCommand.of("qm", "set", "101", "--memory", "1024")));
      assertEquals("EDEADLK", qmSet.errno(), qmSet::getMessage);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
