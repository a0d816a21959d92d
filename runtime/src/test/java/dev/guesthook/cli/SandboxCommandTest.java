package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code guesthook sandbox create}, and the simulator's refusal to act on anything but a sandbox.
 */
class SandboxCommandTest {
  @TempDir Path base;

  @ParameterizedTest
  @EnumSource(SandboxProfile.class)
  void everyProfileWritesAHostLaidOutLikeSysfs(SandboxProfile profile) throws Exception {
    Path dir = base.resolve(profile.id());
    Cli.Result result =
        Cli.run(List.of("--json", "sandbox", "create", dir.toString(), "--profile", profile.id()));
    assertEquals(0, result.exitCode(), result::toString);
    assertEquals(profile.id(), result.json().get("profile").asText());
    assertTrue(result.json().get("vms").size() > 0, result::toString);
    try (var devices = Files.list(dir.resolve("sys/bus/pci/devices"))) {
      for (Path device : devices.toList()) {
        assertTrue(
            Files.isSymbolicLink(device),
            device + " is a link into /sys/devices, as in the kernel");
        assertTrue(Files.isRegularFile(device.resolve("vendor")), device + "/vendor");
        assertTrue(Files.isSymbolicLink(device.resolve("iommu_group")), device + "/iommu_group");
      }
    }
  }

  /**
   * Outsider pass: doctor on a new sandbox failed every guest, whose configs name a hookscript
   * ({@code local:snippets/guesthook}) the sandbox did not have. It is there now, as install writes
   * it on a node.
   */
  @Test
  void aNewSandboxHasTheHookscriptItsGuestsName() throws Exception {
    Path dir = base.resolve("pve");
    assertEquals(
        0,
        Cli.run(List.of("sandbox", "create", dir.toString(), "--profile", "sriov-nic")).exitCode());

    Cli.Result doctor = Cli.run(List.of("--root", dir.toString(), "--simulate", "doctor"));

    for (String vmid : List.of("501", "502", "503", "504")) {
      assertTrue(
          doctor.out().contains("pass  VM " + vmid + " hookscript      local:snippets/guesthook"),
          doctor::toString);
    }
    Path client = dir.resolve("var/lib/vz/snippets/guesthook");
    assertTrue(Files.isExecutable(client));
    // Run by hand without GUESTHOOK_ROOT it must not reach the node's runtime (adversary pass):
    // its root is the sandbox's.
    assertTrue(
        Files.readString(client)
            .contains("env_or('GUESTHOOK_ROOT', '" + dir.toAbsolutePath() + "')"),
        "the client's root is the sandbox");
  }

  @Test
  void anUnknownProfileIsNamedAndNothingIsWritten() {
    Path dir = base.resolve("sb");
    Cli.Result result =
        Cli.run(List.of("sandbox", "create", dir.toString(), "--profile", "nvidia-grid"));
    assertEquals(ExitCodes.USAGE, result.exitCode());
    assertEquals(
        "guesthook: error: unknown profile 'nvidia-grid': one of gvt-g, nvidia-vgpu, nvidia-vgpu-vf,"
            + " sriov-nic, gpu-passthrough, mixed\n",
        result.err());
    assertFalse(Files.exists(dir));
  }

  @Test
  void aDirectoryThatIsNotEmptyIsLeftAlone() throws Exception {
    Path dir = Files.createDirectories(base.resolve("sb"));
    Files.writeString(dir.resolve("notes.txt"), "mine\n");
    Cli.Result result = Cli.run(List.of("sandbox", "create", dir.toString()));
    assertEquals(ExitCodes.USAGE, result.exitCode());
    assertEquals(
        "guesthook: error: "
            + dir
            + " is not empty; a sandbox is created in a new or empty directory\n",
        result.err());
    assertEquals(Map.of("notes.txt", "rw-r--r-- mine\n"), without(HostTree.snapshotOf(dir), ""));
  }

  @Test
  void theSimulatorRefusesATreeThatIsNotASandbox() {
    HostTree host = HostTree.create(base);
    host.vm(101, "memory: 2048\n");
    Map<String, String> before = host.snapshot();
    Cli.Result result = Cli.run(HostTree.args(host.options(), "--simulate", "101", "pre-start"));
    assertEquals(ExitCodes.USAGE, result.exitCode());
    assertTrue(
        result
            .err()
            .startsWith("guesthook: error: --simulate: " + host.root() + " is not a sandbox"),
        result::toString);
    assertEquals(before, host.snapshot());
  }

  @Test
  void aBrokenPerVmSettingsFileNamesItsLineAndStopsTheStart() throws Exception {
    Path dir = base.resolve("sb");
    assertEquals(
        0, Cli.run(List.of("sandbox", "create", dir.toString(), "--profile", "gvt-g")).exitCode());
    Files.writeString(
        dir.resolve("etc/pve/guesthook/202.yaml"), "mdev:\n  devices:\n    - { parent: [\n");
    Map<String, String> before = HostTree.snapshotOf(dir);
    Cli.Result result =
        Cli.run(List.of("--root", dir.toString(), "--simulate", "202", "pre-start"));
    assertEquals(ExitCodes.USAGE, result.exitCode());
    assertTrue(
        result
            .err()
            .startsWith(
                "guesthook: error: "
                    + dir.resolve("etc/pve/guesthook/202.yaml")
                    + ":4:1: not valid YAML: "),
        result::toString);
    assertEquals(before, HostTree.snapshotOf(dir));
  }

  @Test
  void helpListsTheProfilesAndWhatToDoNext() {
    Cli.Result result = Cli.run(List.of("sandbox", "create", "--help"));
    assertEquals(0, result.exitCode());
    for (SandboxProfile profile : SandboxProfile.values()) {
      assertTrue(result.out().contains("  " + profile.id() + " "), profile.id());
    }
    assertTrue(result.out().contains("guesthook --root DIR --simulate --dry-run 501 pre-start"));
  }

  /** The command list shows a command's first line: create's used to end on "Profiles:". */
  @Test
  void theCommandListSaysWhatCreateDoesWithNoDanglingHeading() {
    Cli.Result result = Cli.run(List.of("sandbox", "--help"));
    assertEquals(0, result.exitCode());
    assertTrue(
        result.out().contains("create  Write a simulated host into DIR (new or empty).\n"),
        result::out);
  }

  private static Map<String, String> without(Map<String, String> map, String key) {
    map.remove(key);
    return map;
  }
}
