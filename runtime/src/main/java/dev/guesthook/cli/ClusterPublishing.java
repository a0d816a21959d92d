package dev.guesthook.cli;

import dev.guesthook.cluster.EventEntries;
import dev.guesthook.cluster.EventRing;
import dev.guesthook.cluster.NodeReport;
import dev.guesthook.cluster.Publisher;
import dev.guesthook.journal.Reconciler;
import dev.guesthook.metrics.NodeMetrics;
import dev.guesthook.metrics.ReconcileSample;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * This node's data published after phases (and by {@code serve} on a timer), off the phase's way:
 * to the cluster ({@code status.json}) and to node_exporter (the metrics textfile), from one survey
 * of the node's capacity. Nothing here changes a phase's outcome or exit code. A pause (no quorum,
 * a full file system) is said once, and its end once; so is a metrics file that cannot be written;
 * phases ending together publish once.
 */
final class ClusterPublishing {
  private final Optional<Publisher> publisher;
  private final Optional<NodeMetrics> metrics;
  private final Consumer<String> log;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final Queue<EventRing.Entry> news = new ConcurrentLinkedQueue<>();
  private String lastPause = "";
  private String lastMetricsProblem = "";

  ClusterPublishing(Optional<Publisher> publisher, Consumer<String> log) {
    this(publisher, Optional.empty(), log);
  }

  ClusterPublishing(
      Optional<Publisher> publisher, Optional<NodeMetrics> metrics, Consumer<String> log) {
    this.publisher = publisher;
    this.metrics = metrics;
    this.log = log;
  }

  /**
   * Keeps entries for this node's ring until the next publish (which adds them first): a phase's
   * way sees no file.
   */
  void note(List<EventRing.Entry> entries) {
    if (publisher.isPresent()) {
      news.addAll(entries);
    }
  }

  /**
   * A reconcile outside a phase ({@code serve}'s, one by hand): what it put back goes into this
   * node's ring (a migration's source runs no post-stop: this is its word) and the metrics' counts,
   * published now when it did something. Blocking; never throws.
   */
  void reconciled(List<Reconciler.GuestResult> results, String why, Instant at) {
    List<EventRing.Entry> entries = EventEntries.ofReconcile(results, why, at);
    if (entries.isEmpty()) {
      return;
    }
    note(entries);
    metrics.ifPresent(m -> m.count(counted(results)));
    publishNow();
  }

  /** The steps of {@code results} that put something back, and those that failed to. */
  static ReconcileSample counted(List<Reconciler.GuestResult> results) {
    List<Reconciler.Step> steps = results.stream().flatMap(r -> r.steps().stream()).toList();
    return new ReconcileSample(
        steps.stream().filter(step -> step.acted() && !step.failed()).count(),
        steps.stream().filter(Reconciler.Step::failed).count());
  }

  /** Publishes now, on the caller's (blocking) thread; never throws. */
  synchronized void publishNow() {
    // One survey for both: a second would double what publishing adds to a phase.
    Optional<NodeReport> surveyed =
        metrics.isPresent() ? publisher.flatMap(Publisher::survey) : Optional.empty();
    publisher.ifPresent(p -> toCluster(p, surveyed));
    metrics.ifPresent(m -> toNodeExporter(m, surveyed));
  }

  private void toNodeExporter(NodeMetrics to, Optional<NodeReport> surveyed) {
    Optional<String> problem = to.write(surveyed.map(NodeReport::capacity));
    if (problem.isPresent() && !problem.get().equals(lastMetricsProblem)) {
      log.accept(problem.get());
    } else if (problem.isEmpty() && !lastMetricsProblem.isEmpty()) {
      log.accept("metrics: written again");
    }
    lastMetricsProblem = problem.orElse("");
  }

  private void toCluster(Publisher to, Optional<NodeReport> surveyed) {
    List<EventRing.Entry> entries = new ArrayList<>();
    for (EventRing.Entry entry = news.poll(); entry != null; entry = news.poll()) {
      entries.add(entry);
    }
    Publisher.Outcome outcome;
    try {
      outcome = to.publish(surveyed, entries);
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
    if ((publisher.isPresent() || metrics.isPresent()) && pending.compareAndSet(false, true)) {
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
