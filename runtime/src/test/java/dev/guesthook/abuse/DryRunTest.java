package dev.guesthook.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.record.Recorder;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dry run changes nothing (but the compiled-hook cache) and says, in what it prints, that it was
 * one.
 */
class DryRunTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();

  @TempDir Path base;
  Path root;
  Path recordings;

  @BeforeEach
  void sandbox() throws Exception {
    root = base.resolve("pve");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    recordings = root.resolve("var/lib/guesthook/recordings");
  }

  private Cli.Result guesthook(String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of("--root", root.toString(), "--simulate", "--hooks", STOCK.toString()));
    argv.addAll(List.of(args));
    return Cli.run(argv);
  }

  @Test
  void recordOffInADryRunLeavesRecordingOnAndSaysWhatItWouldDo() throws Exception {
    Map<String, String> before = HostTree.snapshotOf(root);
    Cli.Result off = guesthook("--dry-run", "record", "--off");
    assertEquals(ExitCodes.OK, off.exitCode(), off::toString);
    assertTrue(
        off.out()
            .contains(
                "recording is on ("
                    + recordings
                    + "); dry run: would turn it off, nothing is changed"),
        off::toString);
    assertFalse(Files.exists(recordings.resolve(Recorder.OFF_MARKER)), off::toString);
    assertTrue(Recorder.isOn(recordings));
    assertEquals(before, HostTree.snapshotOf(root));
  }

  @Test
  void aPhasesJsonSaysItWasADryRunAndThatEachChangeIsOnlyPlanned() {
    Map<String, String> before = HostTree.snapshotOf(root);
    Cli.Result plan = guesthook("--dry-run", "--json", "501", "pre-start");
    assertEquals(ExitCodes.OK, plan.exitCode(), plan::toString);
    JsonNode doc = plan.json();
    assertTrue(doc.get("dryRun").asBoolean(), plan::toString);
    List<String> results = new ArrayList<>();
    doc.get("hooks")
        .forEach(
            hook ->
                hook.get("changes").forEach(change -> results.add(change.get("result").asText())));
    assertFalse(results.isEmpty(), plan::toString);
    assertEquals(List.of("planned"), results.stream().distinct().toList(), plan::toString);
    assertEquals(before, HostTree.snapshotOf(root));
  }

  @Test
  void aRealPhasesJsonSaysItWasNoDryRun() {
    Cli.Result run = guesthook("--json", "501", "pre-start");
    assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
    assertFalse(run.json().get("dryRun").asBoolean(), run::toString);
    assertTrue(run.out().contains("\"result\" : \"ok\""), run::toString);
  }

  @Test
  void reconcileInADryRunSaysWhatItWouldPutBackAndActsOnNothing() throws Exception {
    Cli.Result start = guesthook("501", "pre-start");
    assertEquals(ExitCodes.OK, start.exitCode(), start::toString);
    // The node rebooted since that start: the guest's journal is left to put back.
    Files.writeString(
        root.resolve("proc/stat"),
        "cpu  1 2 3\nbtime " + (Instant.now().getEpochSecond() + 1) + "\n");
    Map<String, String> before = HostTree.snapshotOf(root);

    Cli.Result json = guesthook("--dry-run", "--json", "reconcile");
    assertEquals(ExitCodes.OK, json.exitCode(), json::toString);
    JsonNode steps = json.json().get("guests").get(0).get("steps");
    List<String> planned = new ArrayList<>();
    steps.forEach(
        step -> {
          assertFalse(step.get("acted").asBoolean(), json::toString);
          if (step.get("outcome").asText().startsWith("would ")) {
            planned.add(step.get("outcome").asText());
          }
        });
    assertFalse(planned.isEmpty(), json::toString);
    Cli.Result human = guesthook("--dry-run", "reconcile");
    assertTrue(human.out().contains("VM 501: not running: would put back"), human::toString);
    assertTrue(human.out().contains(": " + planned.get(0)), human::toString);
    assertFalse(
        human.out().matches("(?s).*: (removed|gave|put|released|cleared) .*"), human::toString);
    assertFalse(
        human.out().contains("claim released"),
        human::toString); // the VF claim is released by forgetting
    assertTrue(human.out().contains("claim would be released"), human::toString);
    assertEquals(before, HostTree.snapshotOf(root));
  }

  @Test
  void replayWithoutARootKeepsItsCompiledHooksInTheUsersCache() throws Exception {
    assertEquals(ExitCodes.OK, guesthook("501", "pre-start").exitCode());
    Path recording;
    try (Stream<Path> files = Files.list(recordings)) {
      recording =
          files
              .filter(f -> f.getFileName().toString().startsWith("501-"))
              .findFirst()
              .orElseThrow();
    }
    Path userCache = base.resolve("xdg-cache");

    Cli.Result replay =
        Cli.run(
            Map.of("XDG_CACHE_HOME", userCache.toString()),
            List.of("--hooks", STOCK.toString(), "replay", recording.toString()));

    assertEquals(ExitCodes.OK, replay.exitCode(), replay::toString);
    assertTrue(replay.out().contains("1 agree"), replay::toString);
    try (Stream<Path> compiled = Files.list(userCache.resolve("guesthook/hooks"))) {
      assertTrue(
          compiled.findAny().isPresent(),
          "the compiled hooks are in the user's cache, not /var/cache");
    }
  }
}
