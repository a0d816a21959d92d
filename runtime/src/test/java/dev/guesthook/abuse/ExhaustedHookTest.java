package dev.guesthook.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HookscriptClient;
import dev.guesthook.testsupport.OneShot;
import dev.guesthook.testsupport.ServedSandbox;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook that recurses without end or takes all the heap, in {@code guesthook serve} under a heap
 * bound as the launcher sets one: the phase fails at once and is rolled back, the guest's lock is
 * released (its next phase runs at once), and the runtime goes on serving other guests.
 */
class ExhaustedHookTest {
  /**
   * Smaller than the launcher's 256 MB for serve, so the greedy hook meets it sooner; the same kind
   * of bound.
   */
  static final List<String> BOUNDED = List.of("-Xmx96m", "-XX:MaxMetaspaceSize=128m");

  static final String MARKER = "etc/exhausted-marker";
  static final int HOOK_TIMEOUT_SECONDS = 60;

  @TempDir Path base;
  Path root;
  Path socket;
  OneShot serve;

  @BeforeEach
  void serveHooksThatExhaustTheJvm() throws Exception {
    ServedSandbox sandbox = ServedSandbox.create(base);
    root = sandbox.root();
    Files.writeString(root.resolve(MARKER), "as it was\n");
    Path hooks = sandbox.hooks();
    Files.writeString(
        hooks.resolve("change.groovy"),
        """
        hook('change') {
          order 10
          on('pre-start') { ev ->
            String before = read('/%s')
            write '/%s', "changed by VM ${ev.vmid}\\n"
            undo('put the marker back') { write '/%s', before }
          }
        }
        """
            .formatted(MARKER, MARKER, MARKER));
    // VM 503's hook keeps what it takes in 128 KB pieces, so that it fills the heap. With 8 MB
    // pieces the out-of-memory came while room for smaller ones was left, sometimes more than the
    // tenth of the heap a phase needs, and the runtime then rightly went on: the test failed in 3
    // of 6 runs.
    Files.writeString(
        hooks.resolve("exhaust.groovy"),
        """
        hook('exhaust') {
          order 20
          on('pre-start') { ev ->
            if (ev.vmid.toString() == '501') {
              deeper(0)
            }
            if (ev.vmid.toString() == '502') {
              List hoard = []
              while (true) { hoard << new long[1 << 20] }
            }
            if (ev.vmid.toString() == '505') { // holds nearly all the heap a while, then lets go
              List held = []
              try { while (true) { held << new long[1 << 17] } } catch (OutOfMemoryError full) { }
              held.remove(0)
              System.properties.put('guesthook-test-holding', 'yes')
              try { Thread.sleep(4000) } finally { System.properties.remove('guesthook-test-holding') }
              log.info "held ${held.size()} MiB a while"
            }
            if (ev.vmid.toString() == '503') {
              List hoard = []
              System.properties.put('kept-by-a-hook', hoard) // outlives the phase
              while (true) { hoard << new long[1 << 14] }
            }
            log.info 'nothing to exhaust'
          }
        }

        int deeper(int depth) {
          return deeper(depth + 1) + 1
        }
        """);
    socket = sandbox.socket();
    serve = sandbox.serve(BOUNDED, String.valueOf(HOOK_TIMEOUT_SECONDS));
  }

  @AfterEach
  void stopServing() throws Exception {
    serve.stop();
  }

  @Test
  void aHookThatRecursesWithoutEndFailsItsPhaseWhichIsRolledBackAndTheGuestIsFreeAtOnce()
      throws Exception {
    assertExhaustionEndsThePhaseCleanly(
        501,
        "StackOverflowError: the hook's calls nested deeper than a thread's stack"
            + " holds (endless recursion?) (at exhaust.groovy:29)");
  }

  @Test
  void aHookThatTakesAllTheHeapFailsItsPhaseWhichIsRolledBackAndTheGuestIsFreeAtOnce()
      throws Exception {
    assertExhaustionEndsThePhaseCleanly(
        502,
        "OutOfMemoryError (Java heap space): the hook took more memory than"
            + " guesthook's heap bound leaves (at exhaust.groovy:9)");
  }

  private void assertExhaustionEndsThePhaseCleanly(int vmid, String error) throws Exception {
    for (int attempt = 1;
        attempt <= 2;
        attempt++) { // the second finds the guest's lock free, or waits for it
      long start = System.nanoTime();
      Cli.Result run = client(vmid, "pre-start");
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
      int tried = attempt;
      assertEquals(
          1, run.exitCode(), () -> "attempt " + tried + ": " + run + "\nserve: " + output());
      assertTrue(run.out().contains("  FAILED   exhaust ("), run::toString);
      assertTrue(run.out().contains("): " + error + "\n"), run::toString);
      assertTrue(run.out().contains("undo put the marker back: ok"), run::toString);
      assertEquals("as it was\n", Files.readString(root.resolve(MARKER)), run::toString);
      assertTrue(
          seconds < HOOK_TIMEOUT_SECONDS / 4, () -> "attempt took " + seconds + " s: " + run);
    }
    Cli.Result other = client(504, "pre-start");
    assertEquals(0, other.exitCode(), other::toString);
    assertTrue(other.out().contains("nothing to exhaust"), other::toString);
    assertTrue(serve.isAlive(), this::output);
  }

  /**
   * A hook that keeps what it took: its phase fails and is rolled back as well, but the heap stays
   * full, so the runtime stops (exit 3) for systemd to start a fresh one, and says why.
   */
  @Test
  void aHookThatKeepsTheHeapItTookMakesTheRuntimeStopForAFreshOne() throws Exception {
    Cli.Result run = client(503, "pre-start");
    assertEquals(1, run.exitCode(), run::toString);
    assertTrue(run.out().contains("undo put the marker back: ok"), run::toString);
    assertEquals("as it was\n", Files.readString(root.resolve(MARKER)), run::toString);
    Cli.Result served = serve.await(Duration.ofSeconds(HOOK_TIMEOUT_SECONDS / 2));
    assertEquals(3, served.exitCode(), served::toString);
    assertTrue(served.out().contains("guesthook serve: the heap stays "), served::toString);
    assertTrue(
        served
            .out()
            .contains(
                "% full after a collection (a hook keeps memory it took?); stopping so that"
                    + " systemd starts a fresh runtime; until then the hookscript runs the one-shot path\n"),
        served::toString);
    assertTrue(Files.notExists(socket), "the socket is gone, so the client runs the one-shot path");
  }

  /**
   * The heap is full while another guest's phase holds memory it will let go: a phase failing
   * meanwhile is no sign of memory kept for good. Before, the look after the failed phase found the
   * heap full and stopped the runtime, every guest's phase falling back to the one-shot path.
   */
  @Test
  void aPhaseFailingWhileAnotherHoldsTheHeapDoesNotStopTheRuntime() throws Exception {
    Files.writeString(root.resolve("etc/pve/qemu-server/505.conf"), "memory: 512\nname: big\n");
    CompletableFuture<Cli.Result> holding =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return client(505, "pre-start");
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(1500); // 505's hook holds the heap by now
    Cli.Result failing = client(502, "pre-start");
    assertTrue(failing.exitCode() != 0, failing::toString);

    Cli.Result held = holding.get(HOOK_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertEquals(0, held.exitCode(), () -> held + "\nserve: " + output());
    assertTrue(held.out().contains("a while"), held::toString);
    Thread.sleep(1000); // the look at the heap after the last phase
    assertTrue(serve.isAlive(), this::output);
    Cli.Result other = client(504, "pre-start");
    assertEquals(0, other.exitCode(), () -> other + "\nserve: " + output());
  }

  private Cli.Result client(int vmid, String phase) throws Exception {
    return HookscriptClient.call(
        socket, base, vmid, phase, Duration.ofSeconds(HOOK_TIMEOUT_SECONDS / 2));
  }

  /** Whether serve still runs, and what it said if it ended (a runtime that stopped says why). */
  private String output() {
    return ServedSandbox.outputOf(serve);
  }
}
