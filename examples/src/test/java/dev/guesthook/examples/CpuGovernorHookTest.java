package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a hook author tests their own hook: a host tree, the CLI, assertions on the files. */
class CpuGovernorHookTest {
  static final Path EXAMPLE_HOOKS = Path.of("hooks").toAbsolutePath();

  @TempDir Path base;

  @Test
  void governorIsPinnedWhileTheVmRunsAndRestoredAfter() {
    HostTree host = HostTree.create(base);
    host.vm(104, "memory: 4096\n");
    host.file("sys/devices/system/cpu/cpu2/cpufreq/scaling_governor", "powersave\n");
    host.file(
        "etc/guesthook/guesthook.yaml",
        "vms:\n  \"104\":\n    cpu-governor: { cpus: [2], governor: performance }\n");
    List<String> options =
        List.of("--root", host.root().toString(), "--hooks", EXAMPLE_HOOKS.toString());

    assertEquals(0, Cli.run(HostTree.args(options, "104", "pre-start")).exitCode());
    assertEquals("performance", host.read("sys/devices/system/cpu/cpu2/cpufreq/scaling_governor"));

    assertEquals(0, Cli.run(HostTree.args(options, "104", "post-stop")).exitCode());
    assertEquals("powersave", host.read("sys/devices/system/cpu/cpu2/cpufreq/scaling_governor"));
  }
}
