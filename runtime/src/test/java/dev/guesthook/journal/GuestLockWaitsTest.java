package dev.guesthook.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.config.Settings;
import dev.guesthook.core.event.Phase;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.id.VmId;
import dev.guesthook.testsupport.Engines;
import dev.guesthook.testsupport.HostTree;
import dev.guesthook.testsupport.LockHolder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phases waiting for their guest's lock hold no thread another guest's phase needs: with more
 * guests held by another process than Vert.x has worker threads (20), a free guest's phase still
 * runs at once (it used to wait until the others gave up, 4 hook timeouts later).
 */
class GuestLockWaitsTest {
  private static final int HELD_GUESTS = 24;
  private static final int FIRST_HELD = 2000;

  @TempDir Path base;

  @Test
  void phasesWaitingForTheirGuestsLocksDoNotStopAnotherGuestsPhase() throws Exception {
    HostTree host = HostTree.create(base).vm(101, "memory: 512\n");
    List<String> keys = new ArrayList<>();
    for (int vmid = FIRST_HELD; vmid < FIRST_HELD + HELD_GUESTS; vmid++) {
      host.vm(vmid, "memory: 512\n");
      keys.add(Journals.guestLock(VmId.parse(Integer.toString(vmid))));
    }
    host.hook("mark.groovy", "hook('mark') { on('pre-start') { ev -> log.info 'ran' } }\n");
    Vertx vertx = Vertx.vertx();
    Process holder = LockHolder.start(host.root().resolve("run/guesthook/locks"), keys);
    try {
      Engine engine =
          new Engine(vertx, settings(vertx, host), new LinuxHost(host.root()), Clock.systemUTC())
              .resident();
      List<CompletableFuture<Engine.Run>> waiting = new ArrayList<>();
      for (int vmid = FIRST_HELD; vmid < FIRST_HELD + HELD_GUESTS; vmid++) {
        waiting.add(preStart(engine, vmid));
      }
      Thread.sleep(500); // every one of them is waiting for its guest's lock by now

      long start = System.nanoTime();
      Engine.Run free = preStart(engine, 101).get(30, TimeUnit.SECONDS);
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(0, free.result().exitCode(false));
      assertTrue(tookMillis < 5000, "the free guest's pre-start took " + tookMillis + " ms");

      holder.getOutputStream().close(); // the other process lets go: the waiting phases run
      for (CompletableFuture<Engine.Run> phase : waiting) {
        assertEquals(0, phase.get(30, TimeUnit.SECONDS).result().exitCode(false));
      }
    } finally {
      holder.destroyForcibly();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Hook timeout 10 s: a phase waits up to 40 s for its guest's lock. */
  private static Settings settings(Vertx vertx, HostTree host) throws Exception {
    JsonObject flags =
        new JsonObject()
            .put("root", host.root().toString())
            .put("hook-dirs", new JsonArray().add(host.hooks().toString()))
            .put("hook-timeout", 10);
    return Engines.settings(vertx, flags, host.hooks());
  }

  private static CompletableFuture<Engine.Run> preStart(Engine engine, int vmid) {
    return engine
        .run(VmId.parse(Integer.toString(vmid)), Phase.PRE_START, Optional.empty(), Engines.QUIET)
        .toCompletionStage()
        .toCompletableFuture();
  }
}
