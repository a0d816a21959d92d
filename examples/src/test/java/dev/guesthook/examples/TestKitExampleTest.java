package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testkit.HostAssert;
import dev.guesthook.testkit.HostSnapshot;
import dev.guesthook.testkit.Lifecycle;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * The test kit as a hook author meets it, on the stock hooks alone: a GVT-g lifecycle, assertions
 * on the host, a snapshot compared after the VM stops, an injected fault.
 */
@ExtendWith(VertxExtension.class)
class TestKitExampleTest {
  static final String KIOSK = "00001000-0000-0000-0000-000000000202";

  @TempDir Path root;

  @BeforeEach
  void aNode() throws Exception {
    Sandbox.create(root, SandboxProfile.GVT_G);
  }

  @Test
  void theKioskHasItsSliceWhileRunningAndTheHostIsAsBeforeAfter(
      Vertx vertx, VertxTestContext test) {
    HostSnapshot before = HostSnapshot.of(root);
    Lifecycle.of(202) // without hooks(...): the stock hooks
        .on(root)
        .preStart()
        .run(vertx)
        .compose(
            started -> {
              HostAssert.assertThat(root)
                  .hasMdev(KIOSK)
                  .ofType("i915-GVTg_V5_4")
                  .onParent("0000:00:02.0")
                  .and()
                  .file("/run/guesthook/state/202/mdev.json")
                  .contains(KIOSK);
              return Lifecycle.of(202).on(root).postStop().run(vertx);
            })
        .onComplete(
            test.succeeding(
                stopped ->
                    test.verify(
                        () -> {
                          HostAssert.assertThat(root).hasNoMdev(KIOSK).unchangedSince(before);
                          AssertionFailedError e =
                              assertThrows(
                                  AssertionFailedError.class,
                                  () -> HostAssert.assertThat(root).hasMdev(KIOSK));
                          assertEquals("no mdev " + KIOSK + "; there are: []", e.getMessage());
                          test.completeNow();
                        })));
  }

  @Test
  void aParentOutOfSlicesAbortsTheStartWithNothingLeftBehind(Vertx vertx, VertxTestContext test) {
    HostSnapshot before = HostSnapshot.of(root);
    Lifecycle.of(202)
        .on(root)
        .failWrite("/sys/**/i915-GVTg_V5_4/create", "ENOSPC")
        .preStart()
        .run(vertx)
        .onComplete(
            test.succeeding(
                outcome ->
                    test.verify(
                        () -> {
                          assertTrue(outcome.startAborted());
                          String failed =
                              outcome.last().hooks().stream()
                                  .filter(hook -> hook.failed())
                                  .map(hook -> hook.hook() + ": " + hook.message())
                                  .toList()
                                  .toString();
                          assertTrue(
                              failed.startsWith("[mdev: ") && failed.contains("ENOSPC"), failed);
                          HostAssert.assertThat(root).hasNoMdev(KIOSK).unchangedSince(before);
                          test.completeNow();
                        })));
  }
}
