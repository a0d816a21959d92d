package dev.guesthook.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.cluster.NodeReport;
import dev.guesthook.testsupport.PromText;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The textfile as Prometheus's text format wants it, whatever names the values carry. */
class ExpositionTest {
  private static final NodeReport.Capacity CAPACITY =
      new NodeReport.Capacity(
          List.of(new NodeReport.MdevSlots("0000:00:02.0", "i915-GVTg_V5_4", "GVTg_V5_4", 1, 2)),
          List.of(new NodeReport.VgpuSlots("0000:41:00.0", "nvidia-1154", 3, 4, 1154)),
          List.of(new NodeReport.VfSlots("0000:03:00.0", 2, 4, 7, 0)),
          List.of("0000:03:02.1"),
          List.of("0000:03:00.0", "0000:03:02.1", "0000:41:00.0"));

  @Test
  void countsAndCapacityParseStrictlyWithTheirValues() {
    Counts counts = new Counts();
    counts.add(new PhaseSample("pre-start", "ok", 120, List.of(), 0, 0));
    counts.add(new PhaseSample("pre-start", "ok", 4000, List.of(), 2, 1));
    counts.add(new PhaseSample("pre-start", "aborted", 30, List.of("sriov-vf"), 0, 0));

    List<PromText.Sample> samples =
        PromText.parse(Exposition.render(counts, Optional.of(CAPACITY)));

    Map<String, String> ok = Map.of("phase", "pre-start", "outcome", "ok");
    assertEquals(Optional.of(2.0), PromText.value(samples, "guesthook_phases_total", ok));
    assertEquals(
        Optional.of(4.12), PromText.value(samples, "guesthook_phase_duration_seconds_sum", ok));
    assertEquals(
        Optional.of(1.0),
        PromText.value(
            samples,
            "guesthook_phase_duration_seconds_bucket",
            Map.of("phase", "pre-start", "outcome", "ok", "le", "0.25")));
    assertEquals(
        Optional.of(1.0),
        PromText.value(samples, "guesthook_hook_timeouts_total", Map.of("hook", "sriov-vf")));
    assertEquals(
        Optional.of(2.0),
        PromText.value(samples, "guesthook_reconcile_actions_total", Map.of("result", "put-back")));
    assertEquals(
        Optional.of(1.0),
        PromText.value(
            samples,
            "guesthook_capacity_free",
            Map.of("class", "mdev", "device", "0000:00:02.0", "type", "i915-GVTg_V5_4")));
    assertEquals(
        Optional.of(7.0),
        PromText.value(
            samples,
            "guesthook_capacity_total",
            Map.of("class", "vf", "device", "0000:03:00.0", "type", "")));
    assertEquals(
        Optional.of(1.0), PromText.value(samples, "guesthook_vfio_pci_functions", Map.of()));
  }

  @Test
  void labelValuesAreEscaped() {
    Counts counts = new Counts();
    String odd = "a\"hook\\with\nnewline";
    counts.add(new PhaseSample("pre-start", "failed", 1, List.of(odd), 0, 0));

    String text = Exposition.render(counts, Optional.empty());

    assertTrue(text.contains("hook=\"a\\\"hook\\\\with\\nnewline\""), text);
    assertEquals(
        Optional.of(1.0),
        PromText.value(PromText.parse(text), "guesthook_hook_timeouts_total", Map.of("hook", odd)));
  }

  @Test
  void nothingCountedYetIsStillAValidDocument() {
    List<PromText.Sample> samples =
        PromText.parse(Exposition.render(new Counts(), Optional.empty()));

    assertEquals(
        List.of("guesthook_reconcile_actions_total"),
        samples.stream().map(PromText.Sample::name).distinct().toList());
    assertTrue(samples.stream().allMatch(s -> s.value() == 0), samples::toString);
  }

  @Test
  void theStrictReaderRefusesWhatPrometheusWould() {
    for (String bad :
        List.of(
            "9metric 1\n",
            "m{a=\"x} 1\n",
            "m{a=\"\\t\"} 1\n",
            "# TYPE m counter\n# TYPE m counter\n",
            "m 1\nm 2\n",
            "m 1\nn 1\nm{a=\"b\"} 1\n",
            "# TYPE m counter\nm -1\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
            "m 1")) {
      assertThrows(AssertionError.class, () -> PromText.parse(bad), bad);
    }
  }

  @Test
  void countsSurviveTheirJson() throws Exception {
    Counts counts = new Counts();
    counts.add(new PhaseSample("post-stop", "ok", 70, List.of("x"), 1, 0));

    Counts again = Counts.fromJson(counts.toJson());

    assertEquals(
        Exposition.render(counts, Optional.empty()), Exposition.render(again, Optional.empty()));
  }
}
