package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.opentest4j.AssertionFailedError;

/**
 * A {@link ReplayTest} whose recording is not there fails, run by JUnit as a project runs it, with
 * an assertion naming the path it looked at and how a recording is made; it used to fail with a raw
 * {@code ExecutionException: NoSuchFileException}.
 */
class ReplayTestMissingRecordingTest {
  private static volatile boolean launched;

  static boolean launched() {
    return launched;
  }

  /** Run only through the launcher below, not when a -Dtest pattern names it. */
  @EnabledIf("dev.guesthook.testkit.ReplayTestMissingRecordingTest#launched")
  static class Cases {
    @ReplayTest("recordings/no-such-vm.jsonl")
    void missing() {}
  }

  @Test
  void aMissingRecordingFailsAsAnAssertionNamingTheAbsolutePath() {
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launched = true;
    try {
      launcher.execute(
          LauncherDiscoveryRequestBuilder.request()
              .selectors(selectMethod(Cases.class, "missing"))
              .build(),
          listener);
    } finally {
      launched = false;
    }

    assertEquals(1, listener.getSummary().getTotalFailureCount());
    Throwable failure = listener.getSummary().getFailures().get(0).getException();
    assertEquals(AssertionFailedError.class, failure.getClass(), failure.toString());
    Path cwd = Path.of("").toAbsolutePath();
    assertEquals(
        "no recording at "
            + cwd.resolve("recordings/no-such-vm.jsonl")
            + " (a @ReplayTest's paths are relative to "
            + cwd
            + ", the folder the tests run in). Record a lifecycle on a sandbox: recording is on"
            + " unless turned off (guesthook --root SANDBOX record --on turns it back on); run"
            + " its phases through the same hooks with guesthook --root SANDBOX --simulate --hooks"
            + " /usr/share/guesthook/hooks/stock <vmid> pre-start (then post-start, pre-stop,"
            + " post-stop), and copy the file from SANDBOX/var/lib/guesthook/recordings/ to there"
            + " (see the README's \"Write and test your own hooks\")",
        failure.getMessage());
  }
}
