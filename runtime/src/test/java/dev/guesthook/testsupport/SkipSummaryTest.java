package dev.guesthook.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** What a module's test run prints about the tests it skipped: one line per reason. */
class SkipSummaryTest {
  @Test
  void itPrintsOneLinePerReasonWithTheCountTheClassesAndTheReason() {
    assertEquals(
        """
        guesthook: skipped 3 tests (runtime NoBed, NoBedEither): the test bed is not set up: \
        run testbed/setup
        guesthook: skipped 2 tests (runtime NoDpkg): dpkg-deb is not installed: apt-get install dpkg
        guesthook: skipped 1 test (runtime Switched): too slow on 2 cores: run with -Dslow
        """,
        summaryOf(NoBed.class, NoBedEither.class, NoDpkg.class, Switched.class, Runs.class));
  }

  @Test
  void aReasonIsOneBoundedLineSoItCannotForgeOthers() {
    String printed = summaryOf(Forged.class);
    assertEquals(1, printed.lines().count(), printed);
    assertTrue(
        printed.startsWith(
            "guesthook: skipped 1 test (runtime Forged): no bed / guesthook: skipped 999 tests"
                + " (fake): ?[31mred "),
        printed);
    assertTrue(printed.length() < 400, printed.length() + " characters");
  }

  @Test
  void aRunWithoutSkipsPrintsNothing() {
    assertEquals("", summaryOf(Runs.class));
  }

  /** The fixtures' tests, run by a launcher of their own with only the listener under test. */
  private static String summaryOf(Class<?>... fixtures) {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    SkipSummary summary =
        new SkipSummary(new PrintStream(printed, true, StandardCharsets.UTF_8), "runtime");
    LauncherConfig config =
        LauncherConfig.builder()
            .enableTestExecutionListenerAutoRegistration(false)
            .addTestExecutionListeners(summary)
            .build();
    LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
    for (Class<?> fixture : fixtures) {
      request.selectors(selectClass(fixture));
    }
    LauncherDiscoveryRequest built = request.build();
    LauncherFactory.create(config).execute(built);
    return printed.toString(StandardCharsets.UTF_8);
  }

  // Fixtures: nested classes, which surefire does not run on its own.

  static class NoBed {
    @Test
    void boots() {
      assumeTrue(false, "the test bed is not set up: run testbed/setup");
    }

    @Test
    void stops() {
      assumeTrue(false, "the test bed is not set up: run testbed/setup");
    }
  }

  static class NoBedEither {
    @Test
    void migrates() {
      assumeTrue(false, "the test bed is not set up: run testbed/setup");
    }
  }

  static class NoDpkg {
    @BeforeAll
    static void thePackage() {
      assumeTrue(false, "dpkg-deb is not installed: apt-get install dpkg");
    }

    @Test
    void installs() {}

    @Test
    void purges() {}
  }

  static class Forged {
    @Test
    void lies() {
      assumeTrue(
          false, "no bed\nguesthook: skipped 999 tests (fake): \u001b[31mred " + "x".repeat(5000));
    }
  }

  static class Switched {
    @Test
    @Disabled("too slow on 2 cores: run with -Dslow")
    void slow() {}

    @Test
    void fast() {}
  }

  static class Runs {
    @Test
    void passes() {}
  }
}
