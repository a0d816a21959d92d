package dev.guesthook.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.ProcLocks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fcntl locks belong to the process, and the kernel drops all of a process's locks on a file when
 * it closes any descriptor of that file: asking who holds a lock must never open the file of a lock
 * this process holds, or another process walks in while the phase still runs.
 */
class LocksTest {
  @TempDir Path base;

  @Test
  void askingWhoHoldsALockThisProcessHoldsLeavesItHeld() throws Exception {
    Locks locks = new Locks(base.resolve("locks"));
    try (Locks.Held held = locks.acquire("vm-101", "VM 101 post-stop (pid 1)", Duration.ZERO)) {
      assertTrue(heldByThisProcess("vm-101"), "held once taken");

      assertEquals("VM 101 post-stop (pid 1)", locks.holderOf("vm-101"));

      assertTrue(heldByThisProcess("vm-101"), "still held after holderOf");
    }
  }

  @Test
  void anotherThreadTimingOutOnALockThisProcessHoldsLeavesItHeld() throws Exception {
    Locks locks = new Locks(base.resolve("locks"));
    try (Locks.Held held = locks.acquire("vm-102", "VM 102 pre-start (pid 1)", Duration.ZERO)) {
      LockTimeoutException timedOut =
          assertThrows(
              LockTimeoutException.class,
              () -> locks.acquire("vm-102", "reconcile", Duration.ofMillis(20)));

      assertTrue(timedOut.getMessage().contains("VM 102 pre-start (pid 1)"), timedOut::getMessage);
      assertTrue(heldByThisProcess("vm-102"), "still held after another's timeout");
    }
    assertTrue(!heldByThisProcess("vm-102"), "given back when closed");
  }

  /**
   * Two instances over one folder in one process (an engine made twice, a command beside serve's
   * engine): the second one's questions and attempts must not open the first one's held file, or
   * the kernel drops its lock (helper pass: asking who held it, or trying it, which met Java's
   * OverlappingFileLockException and closed the file, each let another process in).
   */
  @Test
  void aSecondInstanceOverTheFolderLeavesTheFirstOnesLockHeld() throws Exception {
    Locks engine = new Locks(base.resolve("locks"));
    Locks other = new Locks(base.resolve("locks"));
    try (Locks.Held held = engine.acquire("vm-103", "VM 103 pre-start (pid 1)", Duration.ZERO)) {
      assertEquals("VM 103 pre-start (pid 1)", other.holderOf("vm-103"));
      assertTrue(heldByThisProcess("vm-103"), "still held after the other asked");

      assertTrue(other.tryAcquire("vm-103", "reconcile", Duration.ZERO).isEmpty(), "not taken");
      LockTimeoutException timedOut =
          assertThrows(
              LockTimeoutException.class,
              () -> other.acquire("vm-103", "reconcile", Duration.ofMillis(20)));
      assertTrue(timedOut.getMessage().contains("VM 103 pre-start (pid 1)"), timedOut::getMessage);
      assertTrue(heldByThisProcess("vm-103"), "still held after the other tried");
    }
    try (Locks.Held taken = other.acquire("vm-103", "reconcile", Duration.ZERO)) {
      assertTrue(heldByThisProcess("vm-103"), "the other takes it once it is let go");
    }
  }

  /**
   * serve asked for ever new vmids kept a semaphore for each (adversary pass: 100,000 vmids, 12 MB
   * of heap for good): an entry now lives while a thread holds or waits for its key.
   */
  @Test
  void keysNoThreadHoldsOrWaitsForKeepNothing() throws Exception {
    Locks locks = new Locks(base.resolve("locks"));
    for (int vmid = 100; vmid < 1100; vmid++) {
      locks.acquire("vm-" + vmid, "VM " + vmid + " pre-start", Duration.ZERO).close();
    }
    try (Locks.Held held = locks.acquire("vm-1", "VM 1 pre-start", Duration.ZERO)) {
      assertThrows(
          LockTimeoutException.class, () -> locks.acquire("vm-1", "other", Duration.ofMillis(5)));
      assertEquals("VM 1 pre-start", locks.holderOf("vm-1"));
      assertEquals(1, locks.keysInUse());
    }
    assertEquals("unknown", locks.holderOf("vm-2"));

    assertEquals(0, locks.keysInUse());
  }

  /**
   * The holder's line is written over the last one without truncating the file: a waiter is told
   * the holder alone, never the tail of a longer line before it, and nobody once it is given back.
   */
  @Test
  void aWaiterIsToldTheHolderAloneAfterALongerOne() throws Exception {
    Locks locks = new Locks(base.resolve("locks"));
    locks.acquire("vm-7", "VM 7 pre-start (pid 1234567), a long holder", Duration.ZERO).close();

    try (Locks.Held held = locks.acquire("vm-7", "VM 7 post-stop (pid 2)", Duration.ZERO)) {
      String text = Files.readString(base.resolve("locks/vm-7.lock"));
      assertEquals("VM 7 post-stop (pid 2)", text.lines().findFirst().orElseThrow());
    }
    assertEquals("unknown", new Locks(base.resolve("locks")).holderOf("vm-7"));
  }

  /** Entries come and go while threads take turns on one key: never two holders at once. */
  @Test
  void threadsTakingTurnsOnOneKeyNeverHoldItTogether() throws Exception {
    Locks locks = new Locks(base.resolve("locks"));
    AtomicInteger holders = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      done.add(
          threads.submit(
              () -> {
                for (int i = 0; i < 200; i++) {
                  try (Locks.Held held = locks.acquire("vm-7", "turn", Duration.ofSeconds(10))) {
                    if (holders.incrementAndGet() > 1) {
                      overlaps.incrementAndGet();
                    }
                    holders.decrementAndGet();
                  }
                }
                return null;
              }));
    }
    for (Future<?> turn : done) {
      turn.get(60, TimeUnit.SECONDS);
    }
    threads.shutdown();

    assertEquals(0, overlaps.get());
    assertEquals(0, locks.keysInUse());
  }

  /** The kernel's own list of POSIX locks: this process's, on the key's file. */
  private boolean heldByThisProcess(String key) throws IOException {
    return ProcLocks.heldByThisProcess(base.resolve("locks").resolve(key + ".lock"));
  }
}
