package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.metrics.NodeMetrics;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.GuestJournals;
import dev.guesthook.testsupport.PromText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * guesthook.yaml's {@code metrics.textfile}: after every phase, one file in node_exporter's
 * textfile format, written whole (renamed over), counting every phase since the first, across
 * processes; a path that cannot be used safely stops every command before anything is written.
 */
class MetricsTextfileTest {
  private static final String PROM = "/var/lib/prometheus/node-exporter/guesthook.prom";

  @TempDir Path base;
  Path root;
  Path folder;
  Path config;

  @BeforeEach
  void aNodeWhoseAdminPointsAtTheTextfileCollector() throws Exception {
    root = base.resolve("node");
    assertEquals(
        0, Cli.run(List.of("sandbox", "create", root.toString(), "--profile", "mixed")).exitCode());
    folder = root.resolve(PROM.substring(1)).getParent();
    Files.createDirectories(folder);
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
    config = root.resolve("etc/guesthook/guesthook.yaml");
  }

  private void setting(String value) throws Exception {
    Files.writeString(config, Files.readString(config) + "metrics:\n  textfile: " + value + "\n");
  }

  private Cli.Result phase(String vmid, String phase) {
    return Cli.run(List.of("--root", root.toString(), "--simulate", vmid, phase));
  }

  private List<PromText.Sample> samples() throws Exception {
    return PromText.parse(Files.readString(folder.resolve("guesthook.prom")));
  }

  private static double value(
      List<PromText.Sample> samples, String name, Map<String, String> labels) {
    return PromText.value(samples, name, labels)
        .orElseThrow(() -> new AssertionError("no " + name + labels + " in " + samples));
  }

  @Test
  void eachPhaseIsCountedByPhaseAndOutcomeAcrossProcesses() throws Exception {
    setting(PROM);

    assertEquals(0, phase("501", "pre-start").exitCode());
    assertEquals(0, phase("501", "post-stop").exitCode());
    assertEquals(0, phase("502", "pre-start").exitCode());
    assertEquals(1, phase("503", "pre-start").exitCode()); // its VF cannot be had: rolled back

    List<PromText.Sample> samples = samples();
    Map<String, String> okStart = Map.of("phase", "pre-start", "outcome", "ok");
    assertEquals(2, value(samples, "guesthook_phases_total", okStart));
    assertEquals(2, value(samples, "guesthook_phase_duration_seconds_count", okStart));
    assertEquals(
        2,
        value(
            samples,
            "guesthook_phase_duration_seconds_bucket",
            Map.of("phase", "pre-start", "outcome", "ok", "le", "+Inf")));
    assertTrue(value(samples, "guesthook_phase_duration_seconds_sum", okStart) > 0);
    assertEquals(
        1, value(samples, "guesthook_phases_total", Map.of("phase", "post-stop", "outcome", "ok")));
    assertEquals(
        1,
        value(
            samples, "guesthook_phases_total", Map.of("phase", "pre-start", "outcome", "aborted")));
  }

  @Test
  void whatAReconcileByHandPutsBackIsCountedToo() throws Exception {
    setting(PROM);
    assertEquals(0, phase("501", "pre-start").exitCode());
    // The guest ran for a day and stopped without a post-stop (as on a migration's source).
    GuestJournals.startedADayAgo(root, "501");

    Cli.Result reconcile = Cli.run(List.of("--root", root.toString(), "--simulate", "reconcile"));

    assertTrue(reconcile.out().contains("VM 501"), reconcile::toString);
    assertTrue(
        value(samples(), "guesthook_reconcile_actions_total", Map.of("result", "put-back")) > 0,
        () -> "reconcile: " + reconcile);
  }

  @Test
  void freeCapacityPerDeviceClassIsThere() throws Exception {
    setting(PROM);
    phase("501", "pre-start");

    List<PromText.Sample> samples = samples();
    List<String> classes =
        samples.stream()
            .filter(s -> s.name().equals("guesthook_capacity_free"))
            .map(s -> s.label("class"))
            .distinct()
            .sorted()
            .toList();
    assertTrue(classes.containsAll(List.of("mdev", "vf")), classes::toString);
    for (PromText.Sample free : samples) {
      if (free.name().equals("guesthook_capacity_free")) {
        Map<String, String> labels = free.labels();
        double total = value(samples, "guesthook_capacity_total", labels);
        assertTrue(free.value() <= total, () -> labels + ": free above total");
      }
    }
  }

  @Test
  void theFileIsReadableByNodeExporterAndNoTemporaryFileStays() throws Exception {
    setting(PROM);
    phase("501", "pre-start");

    assertEquals(
        "rw-r--r--",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(folder.resolve("guesthook.prom"))));
    try (Stream<Path> files = Files.list(folder)) {
      assertEquals(List.of("guesthook.prom"), files.map(f -> f.getFileName().toString()).toList());
    }
  }

  @Test
  void aLinkWhereTheFileGoesIsReplacedNotFollowed() throws Exception {
    setting(PROM);
    Path victim = base.resolve("victim");
    Files.writeString(victim, "untouched\n");
    Files.createSymbolicLink(folder.resolve("guesthook.prom"), victim);

    phase("501", "pre-start");

    assertEquals("untouched\n", Files.readString(victim));
    assertFalse(Files.isSymbolicLink(folder.resolve("guesthook.prom")));
    assertFalse(samples().isEmpty());
  }

  @Test
  void aBadPathIsRefusedWithItsLineAndNothingRuns() throws Exception {
    Path other = root.resolve("srv/shared");
    Files.createDirectories(other);
    Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path real = root.resolve("srv/real");
    Files.createDirectories(real);
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(root.resolve("srv/linked"), real);
    List<String> problems = new ArrayList<>();
    for (String[] bad :
        List.of(
            new String[] {"node-exporter/guesthook.prom", "is not an absolute path"},
            new String[] {"/var/lib/prometheus/node-exporter/guesthook.txt", "must end in .prom"},
            new String[] {"/var/lib/prometheus/../../../../etc/x.prom", "'..'"},
            new String[] {"/var/lib/prometheus/absent/guesthook.prom", "does not exist"},
            new String[] {"/srv/shared/guesthook.prom", "writable by"},
            new String[] {"/srv/linked/guesthook.prom", "symbolic link"},
            new String[] {"[a, b]", "expected a path"})) {
      Files.writeString(config, "hook-timeout: 10\n");
      setting(bad[0]);

      Cli.Result run = phase("501", "pre-start");

      assertEquals(ExitCodes.USAGE, run.exitCode(), run::toString);
      String expected = config + ":3:"; // hook-timeout, metrics, then textfile
      assertTrue(
          run.err().contains(expected)
              && run.err().contains("metrics.textfile")
              && run.err().contains(bad[1]),
          () -> "expected " + expected + " ... " + bad[1] + " in: " + run);
      problems.add(run.err());
    }
    assertFalse(Files.exists(root.resolve("var/lib/guesthook/journal/501.jsonl")), "nothing ran");
    try (Stream<Path> files = Files.walk(root)) {
      assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".prom")).toList());
    }
  }

  /**
   * A publish that never returns (counts.json a FIFO: reading it blocks) holds the one-shot phase
   * ONE_SHOT_BOUND at most: it exits with its own code and answer, and says one line (find09).
   */
  @Test
  void aHungPublishHoldsTheOneShotPhaseABoundOnly() throws Exception {
    setting(PROM);
    Cli.Result before = phase("501", "pre-start");
    assertEquals(0, phase("501", "post-stop").exitCode());
    Path fifo = root.resolve(NodeMetrics.STATE).resolve("counts.json");
    Files.delete(fifo);
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    try {
      long start = System.nanoTime();
      Cli.Result hung =
          assertTimeoutPreemptively(Duration.ofSeconds(30), () -> phase("501", "pre-start"));
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);

      assertEquals(0, hung.exitCode());
      assertTrue(seconds < 12, seconds + " s");
      assertEquals(lastLine(before.out()), lastLine(hung.out()));
      assertTrue(hung.err().contains("cluster: publishing did not end within 2000 ms"), hung.err());
    } finally {
      try (var out = Files.newOutputStream(fifo)) {
        Files.delete(fifo);
      }
      // Let go, the hung publish goes on to write its files: the folder is removed only after.
      PublishThreads.awaitIdle();
    }
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }
}
