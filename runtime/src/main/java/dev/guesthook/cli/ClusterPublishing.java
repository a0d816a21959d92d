package dev.guesthook.cli;

import dev.guesthook.cluster.EventEntries;
import dev.guesthook.cluster.EventRing;
import dev.guesthook.cluster.NodeReport;
import dev.guesthook.cluster.Publisher;
import dev.guesthook.journal.Reconciler;
import dev.guesthook.metrics.NodeMetrics;
import dev.guesthook.metrics.ReconcileSample;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * This node's data published after phases (and by {@code serve} on a timer), off the phase's way:
 * to the cluster ({@code status.json}) and to node_exporter (the metrics textfile), from one survey
 * of the node's capacity. Nothing here changes a phase's outcome or exit code. A pause (no quorum,
 * a full file system) is said once, and its end once; so is a metrics file that cannot be written;
 * phases ending together publish once. Publishes run on this publishing's own thread, one at a
 * time, and at most one more waits: a hung {@code /etc/pve} (pmxcfs hangs when corosync breaks) or
 * a file that blocks holds that thread only, never a shared worker, and a one-shot phase waits for
 * its publish at most {@link #ONE_SHOT_BOUND}.
 */
final class ClusterPublishing {
  /**
   * How long a one-shot phase waits for its publish before it exits: a publish takes some ms (a
   * survey and two pmxcfs writes; publish-phase.sh), so 2 s is far above a healthy one, yet short
   * beside a guest's start, which Proxmox holds until the hookscript exits. A publish cut off dies
   * with the process; its renames are atomic, so no reader sees half a file.
   */
  static final Duration ONE_SHOT_BOUND = Duration.ofSeconds(2);

  /** The name of every publishing thread. */
  static final String THREAD_NAME = "guesthook-publish";

  /** How long the publishing thread stays when idle: a one-shot process exits long before. */
  private static final long IDLE_SECONDS = 30;

  private final Optional<Publisher> publisher;
  private final Optional<NodeMetrics> metrics;
  private final Consumer<String> log;
  private final ThreadPoolExecutor thread = publishingThread();

  /** The publish queued and not yet begun, which a new call joins. */
  private final AtomicReference<CompletableFuture<Void>> waiting = new AtomicReference<>();

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
   * published soon when it did something; the publish that covers it, done already when there is
   * none. Never throws.
   */
  CompletableFuture<Void> reconciled(List<Reconciler.GuestResult> results, String why, Instant at) {
    List<EventRing.Entry> entries = EventEntries.ofReconcile(results, why, at);
    if (entries.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    note(entries);
    metrics.ifPresent(m -> m.count(counted(results)));
    return publishSoon();
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

  /**
   * Publishes soon on this publishing's own thread; a publish queued already covers this call too
   * (the same one is returned), so at most one runs and one waits, however long pmxcfs takes.
   */
  CompletableFuture<Void> publishSoon() {
    if (publisher.isEmpty() && metrics.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> next = new CompletableFuture<>();
    CompletableFuture<Void> queued = waiting.compareAndExchange(null, next);
    if (queued != null) {
      return queued;
    }
    thread.execute(
        () -> {
          waiting.compareAndSet(next, null);
          try {
            publishNow();
          } finally {
            next.complete(null);
          }
        });
    return next;
  }

  /** Publishes, waiting at most {@code bound}: then says so once and returns. Blocking. */
  void publishWithin(Duration bound) {
    awaitAtMost(publishSoon(), bound);
  }

  /** Waits at most {@code bound} for {@code publish}; says one line when it is not done by then. */
  void awaitAtMost(CompletableFuture<Void> publish, Duration bound) {
    try {
      publish.get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException stillRunning) {
      log.accept(
          "cluster: publishing did not end within "
              + bound.toMillis()
              + " ms (/etc/pve hung, or a file of guesthook's that blocks?);"
              + " not waited for: the next publish tries again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException never) {
      // publishNow never throws.
    }
  }

  private static ThreadPoolExecutor publishingThread() {
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            1,
            1,
            IDLE_SECONDS,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              // A daemon: a hung publish must not keep a one-shot process alive.
              Thread thread = new Thread(task, THREAD_NAME);
              thread.setDaemon(true);
              return thread;
            });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }
}
