package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.record.Replayer;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * What a {@link ReplayTest} does with a lifecycle recorded on a sandbox: it passes through the same
 * hook, fails with both sides for a diff through a changed one, and names a hook folder that is not
 * there instead of replaying without it.
 */
@ExtendWith(VertxExtension.class)
class ReplayTestReplayTest {
  static final String GOVERNOR = "/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor";

  @TempDir Path base;
  Path recording;

  @BeforeEach
  void recordAPreStart(Vertx vertx) throws Exception {
    Path root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    // The profile's settings are for the stock hooks, which this test does not load.
    Files.delete(root.resolve("etc/pve/guesthook/501.yaml"));
    Files.createDirectories(root.resolve(GOVERNOR.substring(1)).getParent());
    Files.writeString(root.resolve(GOVERNOR.substring(1)), "powersave\n");
    Lifecycle.of(501)
        .on(root)
        .hooks(governorHook("hooks", "performance"))
        .preStart()
        .run(vertx)
        .toCompletionStage()
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    try (Stream<Path> files = Files.list(root.resolve("var/lib/guesthook/recordings"))) {
      recording = files.findFirst().orElseThrow();
    }
  }

  @Test
  void theSameHookReplaysInAgreement() throws Exception {
    Replayer.Summary summary =
        ReplayTestExtension.replay(recording.toString(), base.resolve("hooks").toString());
    assertEquals(1, summary.agree());
  }

  @Test
  void aChangedHookFailsWithTheRecordedAndReplayedPhasesForADiff() throws Exception {
    Path changed = governorHook("changed", "schedutil");
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> ReplayTestExtension.replay(recording.toString(), changed.toString()));
    assertTrue(failed.getMessage().contains("differs from the recording:\nVM 501 pre-start"));
    assertTrue(
        failed.getMessage().contains("+ write " + GOVERNOR + " 'schedutil'"), failed.getMessage());
    String expected = failed.getExpected().getStringRepresentation();
    String actual = failed.getActual().getStringRepresentation();
    assertTrue(expected.contains("write " + GOVERNOR + " 'performance' -> ok"), expected);
    assertTrue(actual.contains("write " + GOVERNOR + " 'schedutil' -> ok"), actual);
  }

  @Test
  void aHookFolderThatIsNotThereFailsNamingIt() {
    Path none = base.resolve("no-such-hooks");
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> ReplayTestExtension.replay(recording.toString(), none.toString()));
    assertEquals(
        "no hook folder at "
            + none
            + " (a @ReplayTest's paths are relative to "
            + Path.of("").toAbsolutePath()
            + ", the folder the tests run in); for the stock hooks give ReplayTest.STOCK, with the"
            + " dependency dev.guesthook:guesthook-hooks",
        failed.getMessage());
  }

  @Test
  void aHookFolderTheLoaderRefusesFailsWithTheLoadersReason() throws Exception {
    Path hooks = base.resolve("hooks");
    Files.setPosixFilePermissions(hooks, PosixFilePermissions.fromString("rwxrwxrwx"));
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> ReplayTestExtension.replay(recording.toString(), hooks.toString()));
    assertTrue(failed.getMessage().contains("writable by group and others"), failed.getMessage());
    assertTrue(failed.getMessage().contains("fix: chmod go-w"), failed.getMessage());
  }

  @Test
  void noHookFolderAtAllFailsSayingWhatToGive() {
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class, () -> ReplayTestExtension.replay(recording.toString()));
    assertEquals(
        "@ReplayTest(hooks = {}) names no hook folder: give ReplayTest.STOCK, your own folders,"
            + " or both",
        failed.getMessage());
  }

  private Path governorHook(String folder, String governor) throws IOException {
    Path hooks = Files.createDirectories(base.resolve(folder));
    Path file = hooks.resolve("governor.groovy");
    Files.writeString(
        file,
        "hook('governor') {\n  on('pre-start') { ev -> write '"
            + GOVERNOR
            + "', '"
            + governor
            + "' }\n}\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    return hooks;
  }
}
