package dev.guesthook.cli;

import dev.guesthook.cluster.Publisher;
import io.vertx.core.Vertx;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * This node's data published to the cluster after phases (and by {@code serve} on a timer), off the
 * phase's way: nothing here changes a phase's outcome or exit code. A pause (no quorum, a full file
 * system) is said once, and its end once; phases ending together publish once.
 */
final class ClusterPublishing {
  private final Optional<Publisher> publisher;
  private final Consumer<String> log;
  private final AtomicBoolean pending = new AtomicBoolean();
  private String lastPause = "";

  ClusterPublishing(Optional<Publisher> publisher, Consumer<String> log) {
    this.publisher = publisher;
    this.log = log;
  }

  /** Publishes now, on the caller's (blocking) thread; never throws. */
  synchronized void publishNow() {
    if (publisher.isEmpty()) {
      return;
    }
    Publisher.Outcome outcome;
    try {
      outcome = publisher.get().publish();
    } catch (RuntimeException | Error unexpected) {
      outcome = new Publisher.Paused("EIO", String.valueOf(unexpected));
    }
    if (outcome instanceof Publisher.Paused paused) {
      if (!paused.reason().equals(lastPause)) {
        outcome.news().ifPresent(log);
      }
      lastPause = paused.reason();
    } else if (!lastPause.isEmpty()) {
      log.accept("cluster: publishing again");
      lastPause = "";
    }
  }

  /** Publishes soon on a worker; a publish already waiting covers this call too. */
  void publishSoon(Vertx vertx) {
    if (publisher.isPresent() && pending.compareAndSet(false, true)) {
      vertx.executeBlocking(
          () -> {
            pending.set(false);
            publishNow();
            return null;
          },
          false);
    }
  }
}
