package dev.guesthook.metrics;

import dev.guesthook.cluster.NodeReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The counts and the node's capacity in Prometheus's text exposition format (0.0.4), as
 * node_exporter's textfile collector reads it: each family's HELP and TYPE once, its samples
 * together, label values escaped ({@code \\}, {@code \"}, {@code \n}).
 */
public final class Exposition {
  private Exposition() {}

  public static String render(Counts counts, Optional<NodeReport.Capacity> capacity) {
    StringBuilder out = new StringBuilder();
    phases(out, counts);
    durations(out, counts);
    family(out, "guesthook_hook_timeouts_total", "counter", "Hooks given up on at their timeout.");
    counts.hookTimeouts.forEach(
        (hook, n) -> sample(out, "guesthook_hook_timeouts_total", List.of("hook", hook), n));
    family(
        out,
        "guesthook_reconcile_actions_total",
        "counter",
        "Changes a phase's reconcile put back (put-back) or could not (failed).");
    sample(
        out,
        "guesthook_reconcile_actions_total",
        List.of("result", "put-back"),
        counts.reconcilePutBack);
    sample(
        out,
        "guesthook_reconcile_actions_total",
        List.of("result", "failed"),
        counts.reconcileFailed);
    capacity.ifPresent(c -> capacity(out, c));
    return out.toString();
  }

  private static void phases(StringBuilder out, Counts counts) {
    family(out, "guesthook_phases_total", "counter", "Phases run, by phase and outcome.");
    forEachSeries(
        counts, (labels, series) -> sample(out, "guesthook_phases_total", labels, series.count));
  }

  private static void durations(StringBuilder out, Counts counts) {
    String name = "guesthook_phase_duration_seconds";
    family(
        out, name, "histogram", "How long phases took, from the call to the answer, by outcome.");
    forEachSeries(
        counts,
        (labels, series) -> {
          long cumulative = 0;
          for (int i = 0; i < Counts.BUCKETS_MS.size(); i++) {
            cumulative += series.buckets[i];
            sample(
                out,
                name + "_bucket",
                with(labels, "le", seconds(Counts.BUCKETS_MS.get(i))),
                cumulative);
          }
          sample(out, name + "_bucket", with(labels, "le", "+Inf"), series.count);
          out.append(name).append("_sum").append(labelText(labels)).append(' ');
          out.append(seconds(series.sumMillis)).append('\n');
          sample(out, name + "_count", labels, series.count);
        });
  }

  /** A series' labels, in pairs: name, value, name, value. */
  private interface SeriesWork {
    void accept(List<String> labels, Counts.Series series);
  }

  private static void forEachSeries(Counts counts, SeriesWork work) {
    counts.phases.forEach(
        (phase, byOutcome) ->
            byOutcome.forEach(
                (outcome, series) ->
                    work.accept(List.of("phase", phase, "outcome", outcome), series)));
  }

  private static void capacity(StringBuilder out, NodeReport.Capacity capacity) {
    List<NodeReport.Slot> slots = capacity.slots();
    for (Map.Entry<String, String> kind :
        Map.of("free", "Instances a guest could get now", "total", "Instances there could be")
            .entrySet()
            .stream()
            .sorted(Map.Entry.comparingByKey())
            .toList()) {
      String name = "guesthook_capacity_" + kind.getKey();
      family(
          out,
          name,
          "gauge",
          kind.getValue()
              + ", per device class (mdev: a parent's type; vgpu: a GPU's profile; vf: a PF's VFs).");
      for (NodeReport.Slot slot : slots) {
        sample(
            out,
            name,
            List.of("class", slot.kind(), "device", slot.device(), "type", slot.type()),
            kind.getKey().equals("free") ? slot.free() : slot.total());
      }
    }
    family(out, "guesthook_vfio_pci_functions", "gauge", "PCI functions bound to vfio-pci now.");
    sample(out, "guesthook_vfio_pci_functions", List.of(), capacity.vfio().size());
  }

  private static void family(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder out, String name, List<String> labels, long value) {
    out.append(name).append(labelText(labels)).append(' ').append(value).append('\n');
  }

  private static List<String> with(List<String> labels, String name, String value) {
    List<String> all = new ArrayList<>(labels);
    all.add(name);
    all.add(value);
    return all;
  }

  private static String labelText(List<String> labels) {
    if (labels.isEmpty()) {
      return "";
    }
    StringBuilder text = new StringBuilder("{");
    for (int i = 0; i < labels.size(); i += 2) {
      text.append(i == 0 ? "" : ",").append(labels.get(i)).append("=\"");
      text.append(escaped(labels.get(i + 1))).append('"');
    }
    return text.append('}').toString();
  }

  /** The format's three escapes; anything else stands as it is (UTF-8). */
  static String escaped(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.3f", millis / 1000.0).replaceFirst("\\.?0+$", "");
  }
}
