package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.demo.ExampleHookSettings;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testkit.HostAssert;
import dev.guesthook.testkit.Lifecycle;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/hooks/vgpu-params.groovy tested the way a hook author would with the test kit: a
 * lifecycle on a sandbox (the L40S of the nvidia-vgpu-vf profile, VM 402), assertions on the host
 * afterwards.
 */
@ExtendWith(VertxExtension.class)
class VgpuParamsHookTest {
  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final Path STOCK = HOME.resolve("hooks/stock");
  static final Path EXAMPLES = HOME.resolve("examples/hooks");
  static final String VF = "0000:41:00.4";

  @TempDir Path base;
  Path root;

  @BeforeEach
  void l40s() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.NVIDIA_VGPU_VF);
    ExampleHookSettings.addTo(root);
  }

  @Test
  void theParametersAreOnTheVgpuBeforeTheVmStarts(Vertx vertx, VertxTestContext test) {
    Lifecycle.of(402)
        .on(root)
        .hooks(STOCK, EXAMPLES)
        .preStart()
        .run(vertx)
        .onComplete(
            test.succeeding(
                outcome ->
                    test.verify(
                        () -> {
                          assertEquals(0, outcome.last().exitCode(false));
                          HostAssert.assertThat(root)
                              .vf(VF)
                              .hasAttribute("nvidia/current_vgpu_type", "1158")
                              .hasAttribute(
                                  "nvidia/vgpu_params", "frame_rate_limiter=0 disable_vnc=1");
                          test.completeNow();
                        })));
  }

  @Test
  void parametersThatAreNotKeyValueAreRefusedBeforeAnyHookRunsSoNoVgpuIsMade(
      Vertx vertx, VertxTestContext test) throws Exception {
    Path settings = root.resolve("etc/pve/guesthook/402.yaml");
    Files.writeString(
        settings,
        Files.readString(settings).replace("frame_rate_limiter=0 disable_vnc=1", "x=1; reboot"));
    Lifecycle.of(402)
        .on(root)
        .hooks(STOCK, EXAMPLES)
        .preStart()
        .postStop()
        .run(vertx)
        .onComplete(
            test.failing(
                error ->
                    test.verify(
                        () -> {
                          assertEquals(
                              settings
                                  + ":5:24: vgpu-params.params: expected a string matching"
                                  + " [a-z_]+=[A-Za-z0-9_.]+( [a-z_]+=[A-Za-z0-9_.]+)*, found 'x=1; reboot'",
                              error.getMessage());
                          HostAssert.assertThat(root)
                              .vf(VF)
                              .hasAttribute("nvidia/current_vgpu_type", "0");
                          test.completeNow();
                        })));
  }
}
