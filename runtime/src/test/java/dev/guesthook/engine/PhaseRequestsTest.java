package dev.guesthook.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.core.event.Phase;
import dev.guesthook.devices.Ledger;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.guest.Situation;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.VmConfigParser;
import dev.guesthook.testsupport.Engines;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
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
      JsonObject flags =
          new JsonObject()
              .put("root", root.toString())
              .put("hook-dirs", new JsonArray().add(hooks.toString()));
      PhaseRequest request =
          PhaseRequests.of(
              event(),
              new LinuxHost(root),
              Engines.settings(vertx, flags, hooks),
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

  private static LifecycleEvent event() throws Exception {
    return new LifecycleEvent(
        VmId.parse("101"),
        Phase.PRE_START,
        GuestType.QEMU,
        "pve",
        Instant.EPOCH,
        VmConfigParser.parse("101.conf", "memory: 512\n"),
        Situation.START,
        Optional.empty());
  }
}
