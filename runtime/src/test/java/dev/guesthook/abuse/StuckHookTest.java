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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hook blocked where no interrupt reaches it (a lock taken with {@code lock()} that a dead thread
 * holds) is abandoned at its timeout, but keeps its thread for as long as serve lives. Adversary
 * pass: 72 such phases left serve with 72 stuck threads more, and 18 MB more RSS, for good. Now
 * serve stops once 8 are held, so that systemd starts a fresh one, and says why.
 */
class StuckHookTest {
  @TempDir Path base;
  Path socket;
  OneShot serve;

  @BeforeEach
  void serveAHookThatBlocksForGood() throws Exception {
    ServedSandbox sandbox = ServedSandbox.create(base);
    Files.writeString(
        sandbox.hooks().resolve("stuck.groovy"),
        """
        hook('stuck') {
          on('pre-start') { ev ->
            def lock = new java.util.concurrent.locks.ReentrantLock()
            def holder = new Thread({ lock.lock() } as Runnable)
            holder.start()
            holder.join()
            lock.lock() // held by a thread that ended: parks for good, deaf to interrupts
          }
        }
        """);
    socket = sandbox.socket();
    serve =
        sandbox.serve(List.of("-Dguesthook.abandoned-grace-seconds=1"), "0.5"); // 30 s on a node
  }

  @AfterEach
  void stopServing() throws Exception {
    serve.stop();
  }

  @Test
  void eightHooksStuckForGoodMakeServeStopForAFreshOne() throws Exception {
    for (int phase = 1; phase < 8; phase++) {
      Cli.Result run = client(501, "pre-start");
      assertEquals(1, run.exitCode(), run::toString);
      assertTrue(run.out().contains("TIMEOUT  stuck"), run::toString);
    }
    assertTrue(serve.isAlive(), "7 held threads: serve goes on");

    Cli.Result eighth = client(501, "pre-start");
    assertEquals(1, eighth.exitCode(), eighth::toString);
    Cli.Result served = serve.await(Duration.ofSeconds(30));

    assertEquals(3, served.exitCode(), served::toString);
    assertTrue(
        served
            .out()
            .contains(
                "guesthook serve: 8 hooks abandoned at their timeouts still hold their threads"
                    + " (blocked where an interrupt cannot reach them: a lock(), a monitor, a"
                    + " library call); stopping so that systemd starts a fresh runtime; until then"
                    + " the hookscript runs the one-shot path\n"),
        served::toString);
    assertTrue(Files.notExists(socket), "the socket is gone, so the client runs the one-shot path");
  }

  private Cli.Result client(int vmid, String phase) throws Exception {
    return HookscriptClient.call(socket, base, vmid, phase, Duration.ofSeconds(30));
  }
}
