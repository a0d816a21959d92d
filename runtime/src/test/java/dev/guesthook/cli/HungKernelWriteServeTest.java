package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.config.Settings;
import dev.guesthook.config.SettingsLoader;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.sim.Faults;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.journal.Reconciler;
import dev.guesthook.journald.Journald;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.serve.ResidentRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} with a kernel write that never returns: the stuck guest's phase fails at its hook's
 * timeout, another guest's phases are answered meanwhile and afterwards as fast as before, and the
 * reconcile every start of {@code serve} makes gives up at once on the wedged device.
 */
class HungKernelWriteServeTest {
  static final Path CLIENT = ServeTest.CLIENT;
  static final Path STOCK = ServeTest.STOCK;
  static final int HOOK_TIMEOUT_SECONDS = 4;

  @TempDir Path base;
  Path root;
  Path socket;
  Vertx vertx;
  Engine engine;
  ResidentRuntime runtime;
  Faults faults;

  @BeforeEach
  void serveANodeWithAGpuAndANic() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.MIXED);
    faults = Faults.ofSandbox(root).orElseThrow();
    socket = root.resolve("run/guesthook/guesthook.sock");
    vertx = Vertx.vertx();
    engine = resident();
    runtime =
        new ResidentRuntime(
            socket, ServeCommand.runner(engine, settings(), Journald.OFF), line -> {});
    runtime.start();
  }

  @AfterEach
  void stop() throws Exception {
    runtime.close(); // a write still hung ends when its sandbox is deleted
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  record Run(int exit, String out, long millis) {}

  @Test
  void anotherGuestIsAnsweredAtItsUsualPaceWhileAWriteStaysStuck() throws Exception {
    assertEquals(0, client("501", "pre-start").exit()); // loads and compiles the hooks
    assertEquals(0, client("501", "post-stop").exit());
    Run usual = client("501", "pre-start");
    assertEquals(0, usual.exit(), usual::out);
    assertEquals(0, client("501", "post-stop").exit());
    faults.hangWrite("/sys/bus/pci/drivers/amdgpu/unbind", 1);

    CompletableFuture<Run> stuck = CompletableFuture.supplyAsync(() -> clientQuietly("601"));
    while (faults.pending().stream().anyMatch(rule -> rule.on().equals("hang"))) {
      Thread.sleep(20); // until the GPU's unbind hangs
    }
    Run meanwhile = client("501", "pre-start");
    Run gpu = stuck.get(60, TimeUnit.SECONDS);
    assertEquals(0, client("501", "post-stop").exit());
    Run afterwards = client("501", "pre-start");

    System.out.printf(
        "501 pre-start: %d ms before, %d ms while 601's unbind hung, %d ms after 601 failed%n",
        usual.millis(), meanwhile.millis(), afterwards.millis());
    assertEquals(0, meanwhile.exit(), meanwhile::out);
    assertEquals(0, afterwards.exit(), afterwards::out);
    assertTrue(
        meanwhile.millis() < HOOK_TIMEOUT_SECONDS * 1000L,
        () -> "501 waited for 601's hung write: " + meanwhile.millis() + " ms");
    assertTrue(afterwards.millis() < usual.millis() + 3000, () -> "after: " + afterwards);
    assertEquals(1, gpu.exit(), gpu::out);
    assertTrue(
        gpu.out().contains("stuck in kernel write 'unbind'")
            && gpu.out().contains("device 0000:0b:00.0 is marked wedged"),
        gpu::out);
  }

  @Test
  void theReconcileAtServesStartGivesUpAtOnceOnAWedgedDevice() throws Exception {
    faults.hangWrite("/sys/bus/pci/drivers/amdgpu/unbind", 1);
    assertEquals(1, client("601", "pre-start").exit());

    long start = System.nanoTime();
    List<Reconciler.GuestResult> results = resident().reconciler().all(Optional.empty());
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertTrue(millis < 5_000, () -> "reconcile took " + millis + " ms");
    assertTrue(
        results.stream()
            .flatMap(r -> r.steps().stream())
            .anyMatch(step -> step.failed() && step.outcome().contains("is wedged")),
        results::toString);
  }

  private Settings settings() throws Exception {
    JsonObject flags =
        new JsonObject()
            .put("root", root.toString())
            .put("simulate", true)
            .put("hook-timeout", HOOK_TIMEOUT_SECONDS)
            .put("hook-dirs", new JsonArray().add(STOCK.toString()));
    return new SettingsLoader(STOCK)
        .load(vertx, flags, Optional.empty(), Map.of())
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** A resident engine over the sandbox, as {@code serve} builds one at its start. */
  private Engine resident() throws Exception {
    return new Engine(vertx, settings(), SimulatedHost.sandbox(root), Clock.systemUTC()).resident();
  }

  private Run clientQuietly(String vmid) {
    try {
      return client(vmid, "pre-start");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Run client(String vmid, String phase) throws Exception {
    long start = System.nanoTime();
    ProcessBuilder builder =
        new ProcessBuilder(CLIENT.toString(), vmid, phase).redirectErrorStream(true);
    builder.environment().put("GUESTHOOK_SOCKET", socket.toString());
    builder.environment().put("GUESTHOOK_ONESHOT", base.resolve("no-oneshot").toString());
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    return new Run(process.exitValue(), out, (System.nanoTime() - start) / 1_000_000);
  }
}
