package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.guesthook.record.Replayer;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * When a {@link ReplayTest} passes: an outsider's replay test stayed green although six of its nine
 * records were skipped as bad (their settings did not fit the hook), and would have with all of
 * them.
 */
class ReplayTestVerdictTest {
  static final Path FILE = Path.of("recordings/mine.jsonl");

  @Test
  void everyRecordReplayedAndAgreeingPasses() {
    assertDoesNotThrow(
        () ->
            ReplayTestExtension.requireAllReplayed(
                FILE,
                new Replayer.Summary(9, 9, 0),
                List.of(),
                new ReplayTestExtension.Disagreements(FILE)));
  }

  @Test
  void aSkippedBadRecordFailsTheTestWithItsWarning() {
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () ->
                ReplayTestExtension.requireAllReplayed(
                    FILE,
                    new Replayer.Summary(3, 3, 6),
                    List.of("recordings/mine.jsonl:1: the recorded settings: pf: missing; skipped"),
                    new ReplayTestExtension.Disagreements(FILE)));
    assertEquals(
        "replay of recordings/mine.jsonl skipped 6 bad record(s), which a replay test does not accept:\n"
            + "recordings/mine.jsonl:1: the recorded settings: pf: missing; skipped",
        failed.getMessage());
  }

  @Test
  void aGarbageRecordingFailsWithTheFirstFiftyBadRecordsOnly() {
    List<String> warnings =
        IntStream.rangeClosed(1, 120)
            .mapToObj(i -> "recordings/mine.jsonl:" + i + ": not JSON; skipped")
            .toList();
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () ->
                ReplayTestExtension.requireAllReplayed(
                    FILE,
                    new Replayer.Summary(0, 0, 120),
                    warnings,
                    new ReplayTestExtension.Disagreements(FILE)));
    List<String> lines = failed.getMessage().lines().toList();
    assertEquals(52, lines.size(), failed.getMessage());
    assertEquals("recordings/mine.jsonl:50: not JSON; skipped", lines.get(50));
    assertEquals("... and 70 more", lines.get(51));
  }

  @Test
  void manyDifferencesFailWithTheFirstFiftyOnly() {
    ReplayTestExtension.Disagreements disagreements = new ReplayTestExtension.Disagreements(FILE);
    IntStream.rangeClosed(1, 80).forEach(i -> disagreements.listing.add("    difference " + i));
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () ->
                ReplayTestExtension.requireAllReplayed(
                    FILE, new Replayer.Summary(1, 0, 0), List.of(), disagreements));
    List<String> lines = failed.getMessage().lines().toList();
    assertEquals(52, lines.size(), failed.getMessage());
    assertEquals("... and 30 more", lines.get(51));
  }

  @Test
  void aFileWithNoEventFailsTheTest() {
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () ->
                ReplayTestExtension.requireAllReplayed(
                    FILE,
                    new Replayer.Summary(0, 0, 0),
                    List.of(),
                    new ReplayTestExtension.Disagreements(FILE)));
    assertEquals(
        "replay of recordings/mine.jsonl replayed no event: the file holds none",
        failed.getMessage());
  }
}
