package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testkit.Cli;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code guesthook demo}: the example VMs' lifecycles on the simulated demo host. */
class DemoTest {
  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final Path DEMO_HOST = HOME.resolve("examples/hosts/demo");

  @BeforeAll
  static void fromThisCheckout() {
    System.setProperty("guesthook.home", HOME.toString());
  }

  private static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.toList()) {
        files.put(root.relativize(path).toString(), Files.isRegularFile(path) ? Files.readString(path) : "dir");
      }
    }
    return files;
  }

  @Test
  void demoTellsEveryStoryAndChangesNothingOnDisk() throws Exception {
    Map<String, String> before = tree(DEMO_HOST);
    Cli.Result result = Cli.run(List.of("demo"));
    assertEquals(0, result.exitCode(), result::toString);
    String out = result.out();
    for (String expected : List.of(
        "guesthook demo: 5 VMs on simulated host over " + DEMO_HOST,
        "  [gpu-release] 0000:01:00.0: vfio-pci -> amdgpu",
        "guesthook: VM 102 pre-start (incoming-migration) on pve1: 2 hooks",
        "      write '4' to /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs",
        "guesthook: VM 103 pre-start (resume) on pve1",
        "guesthook: VM 103 post-start (start) on pve1",
        "      undo restore cpu2 governor powersave: ok",
        "guesthook: pre-start failed: 1 of 2 hooks failed; 2 undo steps run; the start is aborted",
        "guesthook: VM 105 post-stop (hibernation) on pve1",
        "nothing on this machine was changed.")) {
      assertTrue(out.contains(expected), "missing '" + expected + "' in\n" + out);
    }
    assertTrue(!out.contains("VM 104 post-start"), "an aborted start has no later phases");
    assertEquals(before, tree(DEMO_HOST), "the demo must leave the example tree as it was");
  }
}
