package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every bad call gives one error line, exit 2, runs no hook, and leaves the host as it was. */
class BadInputTest {
  @TempDir Path base;
  HostTree host;
  Map<String, String> before;

  @BeforeEach
  void hostWithOneVmAndAHookThatWouldChangeIt() {
    host = HostTree.create(base);
    host.vm(101, "memory: 2048\nname: vm101\n");
    host.file("sys/touched", "no\n");
    host.hook(
        "toucher.groovy", "hook('toucher') { on('pre-start') { write '/sys/touched', 'yes' } }\n");
    before = host.snapshot();
  }

  private void assertUsageError(Cli.Result result, String expectedMessage) {
    assertEquals(ExitCodes.USAGE, result.exitCode(), result::toString);
    assertEquals("guesthook: error: " + expectedMessage + "\n", result.err(), result::toString);
    assertEquals("", result.out(), result::toString);
    assertEquals(before, host.snapshot(), "the host changed");
  }

  @Test
  void unknownPhaseIsRejectedWithTheValidPhases() {
    assertUsageError(
        Cli.run(HostTree.args(host.options(), "101", "pre-strat")),
        "unknown phase 'pre-strat': expected one of pre-start, post-start, pre-stop, post-stop");
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "0", "99", "1000000000", "-101", "0101", "101 ", "1e3"})
  void vmidOutsideProxmoxRangeIsRejected(String vmid) {
    assertUsageError(
        Cli.run(HostTree.args(host.options(), vmid, "pre-start")),
        "invalid vmid '" + vmid + "': expected an integer from 100 to 999999999");
  }

  @Test
  void controlCharactersInArgumentsAreEscapedInTheMessage() {
    assertUsageError(
        Cli.run(HostTree.args(host.options(), "101", "pre-start\n; rm -rf /")),
        "unknown phase 'pre-start\\n; rm -rf /': expected one of pre-start, post-start, pre-stop, post-stop");
  }

  @Test
  void missingPhaseSaysWhatIsExpected() {
    assertUsageError(
        Cli.run(HostTree.args(host.options(), "101")),
        "missing PHASE after VMID 101: expected one of pre-start, post-start, pre-stop, post-stop");
  }

  @Test
  void noArgumentsAtAllExplainsTheHookscriptCall() {
    assertUsageError(
        Cli.run(host.options()),
        "missing VMID and PHASE: Proxmox runs 'guesthook <vmid> <phase>' (see guesthook --help)");
  }

  @Test
  void missingGuestConfigNamesWhereItLooked() {
    assertUsageError(
        Cli.run(HostTree.args(host.options(), "102", "pre-start")),
        "no config for guest 102 on this node (looked for /etc/pve/qemu-server/102.conf and"
            + " /etc/pve/lxc/102.conf)");
  }

  @Test
  void unreadableGuestConfigGivesTheErrno() throws Exception {
    Path config = host.root().resolve("etc/pve/qemu-server/103.conf");
    Files.createDirectories(config); // a folder where the file should be: read(2) gives EISDIR
    before = host.snapshot();
    Cli.Result result = Cli.run(HostTree.args(host.options(), "103", "pre-start"));
    assertEquals(ExitCodes.USAGE, result.exitCode(), result::toString);
    assertTrue(
        result.err().startsWith("guesthook: error: cannot read /etc/pve/qemu-server/103.conf: E"),
        result::toString);
    assertEquals(before, host.snapshot());
  }

  @Test
  void aConfigLineProxmoxWouldSkipIsNamedAndSkippedAsProxmoxDoes() {
    // qemu-server warns "unable to parse config" and starts the VM anyway; so do the hooks.
    host.vm(104, "memory: 2048\nthis is not a config line\nnuma: maybe\n");
    Cli.Result result = Cli.run(HostTree.args(host.options(), "--json", "104", "pre-start"));
    assertEquals(0, result.exitCode(), result::toString);
    assertEquals(
        "[\"/etc/pve/qemu-server/104.conf:2: unable to parse config: this is not a config line\","
            + "\"/etc/pve/qemu-server/104.conf:3: unable to parse value of 'numa' - type check ('boolean') failed - got 'maybe'\"]",
        result.json().get("configProblems").toString());
  }

  @Test
  void aConfigTooLargeForPmxcfsIsRefused() {
    host.vm(104, "memory: 2048\n" + "#".repeat(2 * 1024 * 1024) + "\n");
    before = host.snapshot();
    assertUsageError(
        Cli.run(HostTree.args(host.options(), "104", "pre-start")),
        "cannot read /etc/pve/qemu-server/104.conf: EFBIG (/etc/pve/qemu-server/104.conf: larger than 1048576 bytes)");
  }

  @Test
  void unknownOptionIsAUsageError() {
    Cli.Result result = Cli.run(HostTree.args(host.options(), "--frobnicate", "101", "pre-start"));
    assertEquals(ExitCodes.USAGE, result.exitCode());
    assertTrue(
        result.err().startsWith("guesthook: error: Unknown option: '--frobnicate'"),
        result::toString);
    assertEquals(before, host.snapshot());
  }

  @ParameterizedTest
  @CsvSource({
    "GUESTHOOK_HOOK_TIMEOUT, soon, 'GUESTHOOK_HOOK_TIMEOUT: expected seconds above 0, at most 86400 (a day), got ''soon'''",
    "GUESTHOOK_STRICT, maybe, 'GUESTHOOK_STRICT: expected true or false (or 1/0, yes/no, on/off), got ''maybe'''",
    "GUESTHOOK_COLOUR, blue, 'unknown environment variable GUESTHOOK_COLOUR; known: GUESTHOOK_CACHE_DIR,"
        + " GUESTHOOK_DRY_RUN, GUESTHOOK_HOOK_DIRS, GUESTHOOK_HOOK_TIMEOUT, GUESTHOOK_LOG_LEVEL, GUESTHOOK_NODE,"
        + " GUESTHOOK_RECORDING_DIR, GUESTHOOK_ROOT, GUESTHOOK_SIMULATE, GUESTHOOK_STRICT'"
  })
  void badEnvironmentValueNamesTheVariable(String name, String value, String message) {
    assertUsageError(
        Cli.run(Map.of(name, value), HostTree.args(host.options(), "101", "pre-start")), message);
  }

  @Test
  void badConfigFileValueNamesTheFileAndKey() {
    host.file("etc/guesthook/guesthook.yaml", "hook-timeout: -3\n");
    before = host.snapshot();
    assertUsageError(
        Cli.run(HostTree.args(host.options(), "101", "pre-start")),
        host.root().resolve("etc/guesthook/guesthook.yaml")
            + ":1:15: hook-timeout: expected seconds above 0, at most 86400 (a day), got '-3'");
  }

  @Test
  void brokenYamlNamesTheFile() {
    host.file("etc/guesthook/guesthook.yaml", "vms: [unclosed\n");
    before = host.snapshot();
    Cli.Result result = Cli.run(HostTree.args(host.options(), "101", "pre-start"));
    assertEquals(ExitCodes.USAGE, result.exitCode(), result::toString);
    assertTrue(
        result
            .err()
            .startsWith(
                "guesthook: error: "
                    + host.root().resolve("etc/guesthook/guesthook.yaml")
                    + ":2:1: not valid YAML: "),
        result::toString);
    assertEquals(before, host.snapshot());
  }

  @Test
  void explicitConfigThatDoesNotExistIsAnError() {
    assertUsageError(
        Cli.run(
            HostTree.args(
                host.options(),
                "--config",
                base.resolve("nope.yaml").toString(),
                "101",
                "pre-start")),
        "cannot read config file " + base.resolve("nope.yaml"));
  }

  @Test
  void invalidMigrationSourceIsRejected() {
    assertUsageError(
        Cli.run(
            Map.of("PVE_MIGRATED_FROM", "../etc"),
            HostTree.args(host.options(), "101", "pre-start")),
        "invalid PVE_MIGRATED_FROM '../etc': not a node name");
  }

  /**
   * Proxmox's node names are pve-common's pve-node format: no dots, no trailing hyphen. A source
   * the cluster's readers would drop as no node name must not pass the phase either.
   */
  @ParameterizedTest
  @ValueSource(strings = {"pve1.", "pve1-", "pve1.example.org", "-pve1"})
  void aMigrationSourceThatIsNoProxmoxNodeNameIsRejected(String source) {
    assertUsageError(
        Cli.run(
            Map.of("PVE_MIGRATED_FROM", source), HostTree.args(host.options(), "101", "pre-start")),
        "invalid PVE_MIGRATED_FROM '" + source + "': not a node name");
  }

  @Test
  void helpTeachesTheHookscriptCall() {
    Cli.Result result = Cli.run(List.of("--help"));
    assertEquals(0, result.exitCode());
    assertTrue(
        result.out().contains("guesthook install --vm <vmid>")
            && result.out().contains("qm set <vmid> --hookscript <storage>:snippets/guesthook"),
        result::toString);
    assertTrue(result.out().contains("--dry-run"), result::toString);
  }

  @Test
  void helpListsEverySubcommandEvenThoughAPhaseCallBuildsNone() {
    Cli.Result help = Cli.run(List.of("--help"));
    for (String command :
        List.of(
            "hooks",
            "demo",
            "sandbox",
            "vmstate",
            "check",
            "record",
            "events",
            "replay",
            "serve",
            "reconcile")) {
      assertTrue(
          help.out().contains("\n  " + command + " "), command + " is listed:\n" + help.out());
    }
    assertTrue(Main.isPhaseCall(new String[] {"--root", "/tmp/x", "101", "pre-start"}));
    assertFalse(Main.isPhaseCall(new String[] {"reconcile", "--vm", "101"}));
    assertFalse(Main.isPhaseCall(new String[] {"101", "pre-start", "--help"}));
  }
}
