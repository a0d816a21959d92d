package dev.guesthook.page;

import dev.guesthook.cluster.ClusterView;
import dev.guesthook.cluster.NodeReport;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One node's capacity as the page shows it: its report (free and total per device class), how old
 * it is and whether that is stale, or why there is none.
 */
public record NodeCapacity(
    String node,
    Optional<NodeReport.Capacity> capacity,
    Optional<Duration> age,
    boolean stale,
    Optional<String> problem) {

  /** This node's own survey, made now. */
  public static NodeCapacity surveyed(String node, NodeReport.Capacity capacity) {
    return new NodeCapacity(
        node, Optional.of(capacity), Optional.of(Duration.ZERO), false, Optional.empty());
  }

  /** Every node the cluster's files name, as this node reads them. */
  public static List<NodeCapacity> of(ClusterView.View view) {
    return view.nodes().stream()
        .map(
            entry ->
                new NodeCapacity(
                    entry.node(),
                    entry.report().map(NodeReport::capacity),
                    entry.age(),
                    entry.stale(),
                    entry.problem()))
        .toList();
  }
}
