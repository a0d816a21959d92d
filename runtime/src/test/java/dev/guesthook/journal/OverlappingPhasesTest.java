package dev.guesthook.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.lock.LockTimeoutException;
import dev.guesthook.lock.Locks;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import dev.guesthook.testsupport.OneShot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phases of one guest never overlap: a stop that arrives while the pre-start still runs (in another
 * process) waits for it, then runs; what each phase did is in the order they ran.
 */
class OverlappingPhasesTest {
  @TempDir Path base;

  @Test
  void aStopArrivingDuringPreStartWaitsForItThenRuns() throws Exception {
    HostTree host = HostTree.create(base).vm(101, "memory: 2048\n");
    host.hook(
        "slow.groovy",
        """
        hook('slow') {
          on('pre-start') { ev ->
            write '/var/tmp/order', 'pre-start began\\n'
            Thread.sleep(2000)
            write '/var/tmp/order', read('/var/tmp/order') + 'pre-start ended\\n'
          }
          on('post-stop') { ev -> write '/var/tmp/order', read('/var/tmp/order') + 'post-stop\\n' }
        }
        """);
    Files.createDirectories(host.root().resolve("var/tmp"));
    OneShot start = OneShot.start(args(host, "101", "pre-start"));
    Path order = host.root().resolve("var/tmp/order");
    for (int i = 0; i < 600 && Files.notExists(order); i++) {
      Thread.sleep(50);
    }
    assertTrue(Files.exists(order), "the pre-start began");
    Cli.Result stop = OneShot.run(args(host, "101", "post-stop"));
    Cli.Result started = start.await();
    assertEquals(0, started.exitCode(), started::toString);
    assertEquals(0, stop.exitCode(), stop::toString);
    assertEquals("pre-start began\npre-start ended\npost-stop\n", Files.readString(order));
  }

  @Test
  void aWaitThatRunsOutNamesWhoHoldsTheGuest() throws Exception {
    Locks locks = new Locks(base.resolve("locks"));
    try (Locks.Held held =
        locks.acquire("vm-101", "VM 101 pre-start (pid 4242)", Duration.ofSeconds(1))) {
      LockTimeoutException e =
          assertThrows(
              LockTimeoutException.class,
              () -> locks.acquire("vm-101", "VM 101 post-stop", Duration.ofMillis(100)));
      assertEquals(
          "waited 100 ms for lock vm-101, held by VM 101 pre-start (pid 4242)", e.getMessage());
    }
    locks
        .acquire("vm-101", "VM 101 post-stop", Duration.ofMillis(100))
        .close(); // released: free again
    assertThrows(
        IllegalArgumentException.class, () -> locks.acquire("../etc/passwd", "x", Duration.ZERO));
  }

  private static List<String> args(HostTree host, String... words) {
    List<String> out = new ArrayList<>(host.options());
    out.addAll(List.of(words));
    return out;
  }
}
