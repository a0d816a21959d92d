package dev.guesthook.metrics;

import dev.guesthook.cluster.NodeReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * This node's metrics: phases are counted as they answer ({@link #count}, no I/O, so it may run
 * anywhere), and {@link #write} (after the phase, or on {@code serve}'s timer) adds them to the
 * counts kept in {@code var/lib/guesthook/metrics} and writes the textfile with the node's
 * capacity.
 */
public final class NodeMetrics {
  /** Where the counts are kept, under the host root. */
  public static final String STATE = "var/lib/guesthook/metrics";

  private final Textfile textfile;
  private final CountsFile counts;
  private final ConcurrentLinkedQueue<Sample> pending = new ConcurrentLinkedQueue<>();

  /**
   * @param textfile where node_exporter reads it, checked already (the settings' {@code
   *     metrics.textfile})
   * @param root the host root, under which the counts are kept
   */
  public NodeMetrics(Path textfile, Path root, Consumer<String> warn) {
    this.textfile = new Textfile(textfile);
    this.counts = new CountsFile(root.resolve(STATE), warn);
  }

  /** Counts a phase that answered, or a reconcile; written by the next {@link #write}. */
  public void count(Sample sample) {
    pending.add(sample);
  }

  /**
   * Adds the phases counted since the last write and writes the textfile; the problem when it could
   * not, with the file. Blocking; never throws.
   */
  public Optional<String> write(Optional<NodeReport.Capacity> capacity) {
    List<Sample> samples = new ArrayList<>();
    for (Sample sample; (sample = pending.poll()) != null; ) {
      samples.add(sample);
    }
    try {
      textfile.write(Exposition.render(counts.add(samples), capacity));
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of("metrics: not written (" + textfile.file() + "): " + e.getMessage());
    }
  }
}
