package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.guesthook.record.Replayer;
import java.nio.file.Path;
import java.util.List;
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
