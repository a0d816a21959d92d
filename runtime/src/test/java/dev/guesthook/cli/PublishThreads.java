package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

/**
 * A hung publish that a test lets go goes on to write its files: the test waits for it before its
 * folder is removed, or the removal races the writes.
 */
final class PublishThreads {
  private PublishThreads() {}

  /** Within 10 s every publishing thread is parked waiting for work, or gone. */
  static void awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (anyRuns()) {
      assertTrue(System.nanoTime() < deadline, "a publish still runs 10 s after it was let go");
      Thread.sleep(10);
    }
  }

  private static boolean anyRuns() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(
            thread ->
                thread.getName().equals(ClusterPublishing.THREAD_NAME)
                    && thread.getState() == Thread.State.RUNNABLE);
  }
}
