package dev.guesthook.testsupport;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Two loops at once, e.g. the odd and the even steps of a kill loop that starts a process per step:
 * two cores run two. An assertion that fails in a lane fails the caller as it is.
 */
public final class TwoLanes {
  private TwoLanes() {}

  /** Runs both and returns the sum of their counts. */
  public static int sum(Callable<Integer> first, Callable<Integer> second) throws Exception {
    ExecutorService both = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> one = both.submit(first);
      Future<Integer> other = both.submit(second);
      return count(one) + count(other);
    } finally {
      both.shutdownNow();
    }
  }

  private static int count(Future<Integer> lane) throws Exception {
    try {
      return lane.get(10, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw e;
    }
  }
}
