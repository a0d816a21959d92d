package dev.guesthook.core.dispatch;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs blocking work on a worker thread with a deadline; at the deadline the worker is interrupted.
 */
final class Blocking {
  private Blocking() {}

  static <T> Future<T> withTimeout(Vertx vertx, Callable<T> work, long timeoutMillis, String what) {
    Promise<T> promise = Promise.promise();
    AtomicReference<Thread> worker = new AtomicReference<>();
    long timer =
        vertx.setTimer(
            timeoutMillis,
            id -> {
              if (promise.tryFail(
                  new TimeoutException(what + " timed out after " + timeoutMillis + " ms"))) {
                Thread thread = worker.get();
                if (thread != null) {
                  thread.interrupt();
                }
              }
            });
    vertx
        .executeBlocking(
            () -> {
              worker.set(Thread.currentThread());
              try {
                return work.call();
              } finally {
                worker.set(null);
                Thread.interrupted(); // never hand an interrupted worker back to the pool
              }
            },
            false)
        .onComplete(
            result -> {
              vertx.cancelTimer(timer);
              if (result.succeeded()) {
                promise.tryComplete(result.result());
              } else {
                promise.tryFail(result.cause());
              }
            });
    return promise.future();
  }
}
