package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Hook settings are a contract checked before any hook runs: every mistake an admin makes in a
 * guest's settings is exit 2 with one line naming the file, line and column, the key, what was
 * expected and what was found, and the host exactly as it was.
 */
class SettingsContractTest {
  @TempDir Path base;
  SandboxHost host;
  String FILE;

  @BeforeEach
  void x710() {
    host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    FILE = host.at("/etc/pve/guesthook/501.yaml");
  }

  /** A one-VF entry for VM 501 with one line replaced or added. */
  static String vf501(String extra) {
    return "sriov-vf:\n  vfs:\n    - hostpci: 0\n      pf: \"0000:03:00.0\"\n      numvfs: 4\n"
        + extra;
  }

  /** The pre-start is refused with exit 2, one line, no JSON on stdout, and nothing changed. */
  String refused(int vmid, String... flags) {
    return host.assertSettingsRefused(vmid, "pre-start", "", flags);
  }

  /**
   * An admin's hook that requires a setting, dropped beside the stock hooks: a guest that gives it
   * no settings is refused with what to do (give them, or make them optional and skip), not a bare
   * "missing 'pf'" naming no file (an outsider's finding).
   */
  @Test
  void aHookRequiringSettingsThatAGuestDoesNotGiveSaysHowToFixIt() throws Exception {
    Path own = Files.createDirectories(base.resolve("own"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(
        own.resolve("pf-autoprobe.groovy"),
        "hook('pf-autoprobe') { settings { pci 'pf' }; on('pre-start') { ev -> log.info \"${settings.pf}\" } }\n");
    assertEquals(
        "guesthook: error: hook pf-autoprobe requires settings and this guest gives it none: missing 'pf'"
            + " (a PCI address like 0000:01:00.0); fix: give them in the guest's /etc/pve/guesthook/<vmid>.yaml (or under"
            + " vms.\"<vmid>\".pf-autoprobe in guesthook.yaml), or, for a hook only some guests use, declare them optional:"
            + " true and skip() in the hook when they are not given (as the stock hooks do)",
        refused(502, "--hooks", own.toString()));
  }

  @Test
  void aMisspeltSettingIsNamedWithTheOneMeant() {
    host.settings(
        501, "sriov-vf:\n  vfs:\n    - hostpci: 0\n      pf: \"0000:03:00.0\"\n      numvf: 4\n");
    assertEquals(
        "guesthook: error: "
            + FILE
            + ":5:7: sriov-vf.vfs[0].numvf: unknown setting; did you mean"
            + " 'numvfs'? (known: hostpci, pf, vf, mapping, numvfs, mac, vlan, trust, spoofchk)",
        refused(501));
  }

  @Test
  void aMisspeltHookNameIsNamedWithTheHookMeant() {
    host.settings(501, "sriov_vf:\n  vfs:\n    - hostpci: 0\n");
    assertEquals(
        "guesthook: error: "
            + FILE
            + ":1:1: sriov_vf: no hook named 'sriov_vf' is loaded; did you mean"
            + " 'sriov-vf'? (loaded: device-health, gpu-release, hibernate, hibernate-record, mdev, pci-mapping, sriov-vf)",
        refused(501));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "trust: \"false\"  | 6:14 | trust: expected true or false, found the string \"false\"; fix: write false without quotes",
        "spoofchk: \"off\" | 6:17 | spoofchk: expected true or false, found the string \"off\"; fix: write true or false",
        "spoofchk: off     | 6:17 | spoofchk: expected true or false, found 'off'; fix: write true or false",
        "spoofchk: \"0\"   | 6:17 | spoofchk: expected true or false, found the string \"0\"; fix: write true or false",
        "spoofchk: 0       | 6:17 | spoofchk: expected true or false, found 0",
        "vlan: \"100x\"    | 6:13 | vlan: expected a VLAN id from 0 (none) to 4094, found the string \"100x\"",
        "vlan: 4095        | 6:13 | vlan: expected a VLAN id from 0 (none) to 4094, found 4095",
        "vlan: \"100\"     | 6:13 | vlan: expected a VLAN id from 0 (none) to 4094, found the string \"100\"; fix: write 100 without quotes",
        "mac: 01:00:5e:00:00:01 | 6:12 | mac: invalid MAC address '01:00:5e:00:00:01': a multicast address cannot be a VF's address",
        "numvfs: 0         | 5:15 | numvfs: expected an integer from 1 to 2048, found 0",
      })
  void aValueOfTheWrongTypeIsNeverCoerced(String line, String at, String message) {
    String yaml = vf501("      " + line.strip() + "\n");
    if (line.startsWith("numvfs")) {
      yaml =
          "sriov-vf:\n  vfs:\n    - hostpci: 0\n      pf: \"0000:03:00.0\"\n      "
              + line.strip()
              + "\n";
    }
    host.settings(501, yaml);
    assertEquals(
        "guesthook: error: " + FILE + ":" + at.strip() + ": sriov-vf.vfs[0]." + message.strip(),
        refused(501));
  }

  @Test
  void aRequiredSettingLeftOutIsNamedWithWhatItIs() {
    SandboxHost gvt = new SandboxHost(base.resolve("gvt"), SandboxProfile.GVT_G);
    gvt.settings(202, "mdev:\n  devices:\n    - parent: \"0000:00:02.0\"\n");
    gvt.assertSettingsRefused(
        202,
        "pre-start",
        gvt.at("/etc/pve/guesthook/202.yaml")
            + ":3:7: mdev.devices[0]: missing 'type'"
            + " (a string: mdev type, its name, or NVIDIA vGPU profile)");
  }

  @Test
  void yamlErrorsNameTheFileAndLine() {
    host.settings(501, "sriov-vf:\n  vfs: [\n");
    assertTrue(refused(501).startsWith("guesthook: error: " + FILE + ":3:1: not valid YAML:"));
  }

  @Test
  void theSameContractHoldsForGuesthookYaml() {
    host.write("etc/guesthook/guesthook.yaml", "hooks:\n  gpu-release: { drivr: amdgpu }\n");
    String config = host.root.resolve("etc/guesthook/guesthook.yaml").toString();
    assertEquals(
        "guesthook: error: "
            + config
            + ":2:18: hooks.gpu-release.drivr: unknown setting; did you mean"
            + " 'driver'? (known: driver, bind-wait, reset)",
        refused(501));
    host.write(
        "etc/guesthook/guesthook.yaml",
        "vms:\n  \"501\":\n    sriov-vf: { vfs: [{ hostpci: 0, trust: \"no\" }] }\n");
    assertEquals(
        "guesthook: error: "
            + config
            + ":3:44: vms.501.sriov-vf.vfs[0].trust: expected true or false,"
            + " found the string \"no\"; fix: write true or false",
        refused(501));
  }

  @Test
  void aHookThatDeclaresNoSettingsTakesNone() {
    host.settings(501, "hibernate: { when: always }\n");
    assertEquals(
        "guesthook: error: "
            + FILE
            + ":1:14: hibernate.when: unknown setting: this hook declares no"
            + " settings (its file has no settings { ... } block)",
        refused(501));
  }

  @Test
  void aHookFolderThatDoesNotExistIsAnErrorNotZeroHooks() {
    String message = refused(501, "--hooks", base.resolve("nonexistent").toString());
    assertEquals(
        "guesthook: error: hook folder "
            + base.resolve("nonexistent")
            + " does not exist (hook-dirs,"
            + " GUESTHOOK_HOOK_DIRS or --hooks); fix: create it or correct the path",
        message);
  }

  @Test
  void hostileYamlEndsAtOnceAsExitTwo() {
    StringBuilder bomb = new StringBuilder("a0: &a0 [\"" + "x".repeat(1000) + "\"]\n");
    for (int i = 1; i <= 48; i++) {
      bomb.append("a")
          .append(i)
          .append(": &a")
          .append(i)
          .append(" [*a")
          .append(i - 1)
          .append(", *a")
          .append(i - 1)
          .append("]\n");
    }
    // Hooks loaded (compiled on a cold cache) first, so the bound times the reading, not that:
    // under load 12 the first refusal took 6.3 s, nearly all of it compiling.
    host.settings(501, "sriov-vf: []\n");
    refused(501);
    for (String yaml :
        List.of(
            bomb.toString(), "sriov-vf: &x { vfs: [*x] }\n", "# " + "x".repeat(2 << 20) + "\n")) {
      host.settings(501, yaml);
      long start = System.nanoTime();
      String message = refused(501);
      long millis = (System.nanoTime() - start) / 1_000_000;
      // The reading itself is bounded to well under a second (SafeYamlTest;
      // runtime/bench/hostile-yaml.sh
      // measures the whole process); the whole in-process phase is given room for a loaded CI
      // machine.
      assertTrue(millis < 5000, () -> "took " + millis + " ms: " + message);
      assertTrue(message.startsWith("guesthook: error: " + FILE + ":"), message);
    }
  }

  @Test
  void aKeyCannotForgeASecondTaskLogLine() {
    host.settings(501, "sriov-vf:\n  \"numvfs\\nguesthook: pre-start ok\": 4\n");
    assertEquals(
        "guesthook: error: "
            + FILE
            + ":2:3: a key holds a control or format character; keys are plain"
            + " names",
        refused(501));
    host.settings(501, "\"sriov-vf\\u202e\":\n  vfs: []\n");
    assertEquals(
        "guesthook: error: "
            + FILE
            + ":1:1: a key holds a control or format character; keys are plain"
            + " names",
        refused(501));
  }

  @Test
  void hugeNumbersAndOneSidedRangesReadAsWritten() {
    host.settings(501, vf501("      vlan: 99999999999999999999999999\n"));
    assertEquals(
        "guesthook: error: "
            + FILE
            + ":6:13: sriov-vf.vfs[0].vlan: expected a VLAN id from 0 (none) to 4094,"
            + " found 99999999999999999999999999",
        refused(501));
    host.settings(501, vf501("      vf: -1\n"));
    assertEquals(
        "guesthook: error: "
            + FILE
            + ":6:11: sriov-vf.vfs[0].vf: expected an integer of at least 0, found -1",
        refused(501));
  }

  @Test
  void bytesThatAreNotUtf8AndOddLineBreaksAreRefused() throws Exception {
    java.nio.file.Files.write(
        host.root.resolve("etc/pve/guesthook/501.yaml"),
        new byte[] {
          's', 'r', 'i', 'o', 'v', '-', 'v', 'f', ':', ' ', '{', '}', ' ', '#', (byte) 0xff, '\n'
        });
    assertEquals(
        "guesthook: error: "
            + FILE
            + ": not UTF-8 text (or it holds U+FFFD); fix: save it as UTF-8",
        refused(501));
    host.settings(501, "sriov-vf: {}\u2028mdev: {}\n");
    assertTrue(
        refused(501).startsWith("guesthook: error: " + FILE + ": holds a Unicode line separator"));
  }

  @Test
  void aFifoInPlaceOfTheGuestsFileIsRefusedNotWaitedOn() throws Exception {
    Path file = host.root.resolve("etc/pve/guesthook/501.yaml");
    Files.delete(file);
    assertEquals(0, new ProcessBuilder("mkfifo", file.toString()).start().waitFor());
    long start = System.nanoTime();
    String message = refused(501);
    // A read blocked on the FIFO never returns; a cold start of the hooks on a loaded machine can
    // take several seconds (it took 8.9 s beside a full build).
    assertTrue(System.nanoTime() - start < 60_000_000_000L, "answered, not blocked on the FIFO");
    assertEquals("guesthook: error: " + FILE + ": cannot read it: not a regular file", message);
  }
}
