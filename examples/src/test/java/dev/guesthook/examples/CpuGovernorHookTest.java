package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testkit.Hooks;
import dev.guesthook.testkit.HostAssert;
import dev.guesthook.testkit.Lifecycle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** hooks/cpu-governor.groovy on a simulated node whose CPUs save power until a VM needs them. */
class CpuGovernorHookTest {
  static final Path MY_HOOKS = Path.of("hooks").toAbsolutePath();
  static final String CPU2 = "/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor";
  static final String CPU3 = "/sys/devices/system/cpu/cpu3/cpufreq/scaling_governor";

  @TempDir Path root;

  @BeforeEach
  void aNode() throws Exception {
    Sandbox.create(root, SandboxProfile.GVT_G); // VM 202 on a node with four powersave CPUs
  }

  /** VM 202 with the stock hooks and mine, pinned to CPUs 2 and 3 (its own settings file). */
  private Lifecycle vm202() {
    return Lifecycle.of(202)
        .on(root)
        .hooks(Hooks.stock(), MY_HOOKS)
        .settings("cpu-governor", Map.of("cpus", List.of(2, 3), "governor", "performance"));
  }

  @Test
  void theCpusRunAtFullSpeedWhileTheVmRunsAndSavePowerAfter() {
    Lifecycle.Outcome started = vm202().preStart().run();
    assertEquals(0, started.exitCode(), () -> String.join("\n", started.lines()));
    HostAssert.assertThat(root).file(CPU2).hasContent("performance");

    vm202().postStop().run();
    HostAssert.assertThat(root).file(CPU2).hasContent("powersave");
  }

  @Test
  void aCpuThatRefusesTheGovernorAbortsTheStartAndTheOtherIsPutBack() {
    Lifecycle.Outcome outcome =
        vm202()
            .failWrite(CPU3, "EBUSY") // the hook throws, so the phase fails and its undo steps run
            .preStart()
            .run();

    assertTrue(outcome.startAborted(), () -> String.join("\n", outcome.lines()));
    assertEquals(1, outcome.exitCode());
    HostAssert.assertThat(root)
        .file(CPU2)
        .hasContent("powersave")
        .and()
        .file(CPU3)
        .hasContent("powersave");
  }
}
