package dev.guesthook.serve;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The threads requests are answered on: an idle one is reused, a new one is made only when every
 * thread is busy, up to a bound; past it requests wait in line. A plain pool whose core is the
 * bound makes a new thread for every request until it holds the bound, idle threads or not: phases
 * one at a time, 20 guests twice, left 40 threads (each ~100 KB of touched stack) until they timed
 * out.
 */
final class RequestThreads {
  private RequestThreads() {}

  static ThreadPoolExecutor upTo(int max, long idleSeconds) {
    HandOffFirst queue = new HandOffFirst();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0,
            max,
            idleSeconds,
            TimeUnit.SECONDS,
            queue,
            r -> {
              Thread t = new Thread(r, "guesthook-request");
              t.setDaemon(true);
              return t;
            },
            (request, full) -> {
              if (full.isShutdown()) {
                throw new RejectedExecutionException("serve is stopping");
              }
              queue.put(request); // every thread busy: it waits for the first one free
            });
    return pool;
  }

  /**
   * Offered work goes to a thread waiting for some, or nowhere: then the pool makes a thread, or at
   * its bound rejects, and the rejection puts the work in line.
   */
  private static final class HandOffFirst extends LinkedTransferQueue<Runnable> {
    @Override
    public boolean offer(Runnable work) {
      return tryTransfer(work);
    }
  }
}
