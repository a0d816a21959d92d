package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.guesthook.host.sim.Faults;
import dev.guesthook.host.tree.FileTree;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testkit.HostAssert;
import dev.guesthook.testkit.Lifecycle;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * The test kit as a hook author meets it: a GVT-g lifecycle, host assertions, an injected fault.
 */
@ExtendWith(VertxExtension.class)
class TestKitExampleTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();
  static final String KIOSK = "00001000-0000-0000-0000-000000000202";

  @TempDir Path root;

  @Test
  void theKioskHasItsSliceWhileRunningAndNotAfter(Vertx vertx, VertxTestContext test)
      throws Exception {
    Sandbox.create(root.resolve("h"), SandboxProfile.GVT_G);
    Path host = root.resolve("h");
    Lifecycle.of(202)
        .on(host)
        .hooks(STOCK)
        .preStart()
        .run(vertx)
        .compose(
            started -> {
              HostAssert.assertThat(host)
                  .hasMdev(KIOSK)
                  .ofType("i915-GVTg_V5_4")
                  .onParent("0000:00:02.0");
              return Lifecycle.of(202).on(host).hooks(STOCK).postStop().run(vertx);
            })
        .onComplete(
            test.succeeding(
                stopped ->
                    test.verify(
                        () -> {
                          HostAssert.assertThat(host).hasNoMdev(KIOSK);
                          AssertionFailedError e =
                              assertThrows(
                                  AssertionFailedError.class,
                                  () -> HostAssert.assertThat(host).hasMdev(KIOSK));
                          assertEquals("no mdev " + KIOSK + "; there are: []", e.getMessage());
                          test.completeNow();
                        })));
  }

  @Test
  void anInjectedFaultRollsTheStartBack(Vertx vertx, VertxTestContext test) throws Exception {
    Sandbox.create(root.resolve("h"), SandboxProfile.GVT_G);
    Path host = root.resolve("h");
    new Faults(new FileTree(host)).failWrite("**/i915-GVTg_V5_4/create", "ENOSPC");
    Lifecycle.of(202)
        .on(host)
        .hooks(STOCK)
        .preStart()
        .run(vertx)
        .onComplete(
            test.succeeding(
                outcome ->
                    test.verify(
                        () -> {
                          assertEquals(true, outcome.startAborted());
                          HostAssert.assertThat(host).hasNoMdev(KIOSK);
                          test.completeNow();
                        })));
  }
}
