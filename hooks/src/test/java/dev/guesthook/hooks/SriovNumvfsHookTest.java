package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.testkit.Cli;
import dev.guesthook.testkit.HostTree;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** stock/sriov-numvfs.groovy: enough VFs before start, and the old count back if the start aborts. */
class SriovNumvfsHookTest {
  @TempDir Path base;
  HostTree host;

  @BeforeEach
  void pfWithSevenPossibleVfs() {
    host = HostTree.create(base);
    host.vm(102, "hostpci0: 0000:03:10.0\nmemory: 2048\n");
    host.file("sys/bus/pci/devices/0000:03:00.0/sriov_totalvfs", "7\n");
    host.file("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs", "0\n");
  }

  private Cli.Result preStart(String settings, String... extraHookDirs) {
    host.file("etc/guesthook/guesthook.yaml", "vms:\n  \"102\":\n    sriov-numvfs: " + settings + "\n");
    List<String> args = new java.util.ArrayList<>(List.of("--json", "--root", host.root().toString(),
        "--hooks", GpuReleaseHookTest.STOCK.toString()));
    for (String dir : extraHookDirs) {
      args.addAll(List.of("--hooks", dir));
    }
    args.addAll(List.of("102", "pre-start"));
    return Cli.run(args);
  }

  private static JsonNode hook(Cli.Result result) {
    for (JsonNode hook : result.json().get("hooks")) {
      if (hook.get("name").asText().equals("sriov-numvfs")) {
        return hook;
      }
    }
    throw new AssertionError(result.toString());
  }

  @Test
  void vfsAreEnabledBeforeStart() {
    Cli.Result result = preStart("{ pf: \"0000:03:00.0\", numvfs: 4 }");
    assertEquals(0, result.exitCode(), result::toString);
    assertEquals("4", host.read("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"));
  }

  @Test
  void aNonZeroCountGoesThroughZeroAsTheKernelRequires() {
    host.file("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs", "2\n");
    JsonNode hook = hook(preStart("{ pf: \"0000:03:00.0\", numvfs: 4 }"));
    assertEquals("0", hook.get("changes").get(0).get("value").asText());
    assertEquals("4", hook.get("changes").get(1).get("value").asText());
  }

  @Test
  void enoughVfsAlreadyMeansNoWrite() {
    host.file("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs", "5\n");
    JsonNode hook = hook(preStart("{ pf: \"0000:03:00.0\", numvfs: 4 }"));
    assertEquals("ok", hook.get("outcome").asText());
    assertEquals(0, hook.get("changes").size());
  }

  @Test
  void moreVfsThanThePfSupportsFailsTheStartAndChangesNothing() {
    host.file("etc/guesthook/guesthook.yaml", "");
    Map<String, String> before = host.snapshot();
    Cli.Result result = preStart("{ pf: \"0000:03:00.0\", numvfs: 9 }");
    assertEquals(1, result.exitCode());
    assertEquals("0000:03:00.0 supports 7 VFs, 9 asked for (at sriov-numvfs.groovy:28)", hook(result).get("message").asText());
    before.put("etc/guesthook/guesthook.yaml", host.snapshot().get("etc/guesthook/guesthook.yaml"));
    assertEquals(before, host.snapshot());
  }

  @Test
  void aLaterFailingHookPutsTheOldCountBack() {
    host.hook("fail.groovy", "hook('later') { order 90; on('pre-start') { throw new IllegalStateException('boom') } }\n");
    Cli.Result result = preStart("{ pf: \"0000:03:00.0\", numvfs: 4 }", host.hooks().toString());
    assertEquals(1, result.exitCode(), result::toString);
    assertEquals("restore 0000:03:00.0 sriov_numvfs to 0", hook(result).get("undo").get(0).get("description").asText());
    assertEquals("0", host.read("sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"));
  }
}
