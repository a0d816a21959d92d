package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testkit.Hooks;
import dev.guesthook.testkit.HostAssert;
import dev.guesthook.testkit.Lifecycle;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hooks/vgpu-params.groovy, which reads what the stock mdev hook saved ({@code state}) in the same
 * pre-start: on the L40S of the nvidia-vgpu-vf profile, VM 402.
 */
class VgpuParamsHookTest {
  static final Path MY_HOOKS = Path.of("hooks").toAbsolutePath();
  static final String VF = "0000:41:00.4";

  @TempDir Path root;

  @BeforeEach
  void anL40s() throws Exception {
    Sandbox.create(root, SandboxProfile.NVIDIA_VGPU_VF);
  }

  private Lifecycle vm402WithParams(String params) {
    return Lifecycle.of(402)
        .on(root)
        .hooks(Hooks.stock(), MY_HOOKS)
        .settings("vgpu-params", Map.of("params", params));
  }

  @Test
  void theParametersAreOnTheVgpuBeforeTheVmStarts() {
    Lifecycle.Outcome outcome =
        vm402WithParams("frame_rate_limiter=0 disable_vnc=1").preStart().run();

    assertEquals(0, outcome.exitCode(), () -> String.join("\n", outcome.lines()));
    HostAssert.assertThat(root)
        .vf(VF)
        .hasAttribute("nvidia/current_vgpu_type", "1158")
        .hasAttribute("nvidia/vgpu_params", "frame_rate_limiter=0 disable_vnc=1");
  }

  @Test
  void parametersThatAreNotKeyValueAreRefusedBeforeAnyHookRunsSoNoVgpuIsMade() {
    Lifecycle.Outcome outcome = vm402WithParams("x=1; reboot").preStart().postStop().run();

    assertEquals(2, outcome.exitCode());
    String refused = outcome.refusal().orElseThrow().message();
    assertTrue(
        refused.endsWith(
            "vgpu-params.params: expected a string matching"
                + " [a-z_]+=[A-Za-z0-9_.]+( [a-z_]+=[A-Za-z0-9_.]+)*,"
                + " found 'x=1; reboot'"),
        refused);
    HostAssert.assertThat(root).vf(VF).hasAttribute("nvidia/current_vgpu_type", "0");
  }
}
