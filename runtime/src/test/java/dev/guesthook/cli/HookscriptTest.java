package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.Golden;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code guesthook <vmid> <phase>} on a real tree under --root, as Proxmox calls it. */
class HookscriptTest {
  @TempDir Path base;
  HostTree host;

  @BeforeEach
  void host() {
    host = HostTree.create(base);
    host.vm(101, "memory: 2048\nname: vm101\n");
    host.file("sys/a", "0\n").file("sys/b", "0\n");
  }

  /** The whole output compared with src/test/resources/golden (see {@link Golden}). */
  private Golden golden() {
    return new Golden().path("ROOT", host.root()).path("HOOKS", host.hooks());
  }

  private Cli.Result run(String... args) {
    return Cli.run(HostTree.args(host.options(), args));
  }

  private Cli.Result json(String... args) {
    List<String> all = new ArrayList<>(List.of("--json"));
    all.addAll(List.of(args));
    return run(all.toArray(String[]::new));
  }

  private static List<String> names(JsonNode doc) {
    List<String> names = new ArrayList<>();
    doc.get("hooks")
        .forEach(hook -> names.add(hook.get("name").asText() + ":" + hook.get("outcome").asText()));
    return names;
  }

  /** A hook that writes one value to a file and can undo it. */
  private void writer(String name, int order, String phase, String file, String value) {
    host.hook(
        name + ".groovy",
        """
        hook('%s') {
          order %d
          on('%s') {
            String before = read('%s')
            write '%s', '%s'
            undo("restore %s") { write '%s', before }
          }
        }
        """
            .formatted(name, order, phase, file, file, value, file, file));
  }

  private void failing(String name, int order, String phase) {
    host.hook(
        name + ".groovy",
        """
        hook('%s') {
          order %d
          on('%s') { throw new IllegalStateException('no free VF on 0000:03:00.0') }
        }
        """
            .formatted(name, order, phase));
  }

  @Test
  void hooksRunByOrderThenName() {
    writer("zeta", 10, "pre-start", "/sys/a", "1");
    writer("alpha", 20, "pre-start", "/sys/b", "1");
    writer("beta", 10, "pre-start", "/sys/b", "2");
    Cli.Result result = json("101", "pre-start");
    assertEquals(0, result.exitCode(), result::toString);
    assertEquals(List.of("beta:ok", "zeta:ok", "alpha:ok"), names(result.json()));
    assertEquals("1", host.read("sys/b"), "alpha (order 20) must write last");
  }

  @Test
  void failedPreStartUndoesEarlierHooksAndAbortsTheStart() {
    writer("first", 10, "pre-start", "/sys/a", "performance");
    writer("second", 20, "pre-start", "/sys/b", "4");
    failing("third", 30, "pre-start");
    writer("fourth", 40, "pre-start", "/sys/a", "never");
    Map<String, String> before = host.snapshot();

    Cli.Result result = json("101", "pre-start");

    assertEquals(ExitCodes.HOOK_FAILED, result.exitCode(), result::toString);
    JsonNode doc = result.json();
    assertEquals("aborted", doc.get("outcome").asText());
    assertEquals(List.of("first:ok", "second:ok", "third:failed", "fourth:skipped"), names(doc));
    assertEquals(
        "no free VF on 0000:03:00.0 (at third.groovy:3)",
        doc.get("hooks").get(2).get("message").asText());
    assertEquals(
        "restore /sys/b", doc.get("hooks").get(1).get("undo").get(0).get("description").asText());
    assertTrue(doc.get("hooks").get(0).get("undo").get(0).get("ok").asBoolean());
    assertEquals(before, host.snapshot(), "the rollback must leave the host as it was");
  }

  /**
   * Found by the adversary passes: a hook's exception whose getMessage() itself throws (a
   * RuntimeException, an {@code assert}'s Error, a checked exception Groovy throws undeclared),
   * whose getCause() points to itself or whose getStackTrace() is null made the phase an internal
   * error (exit 3, nothing undone), hung it until the hook's timeout, or looped; under serve the
   * watchdog then rolled the failed phase back on another thread, without the guest's lock.
   */
  @Test
  void aHookExceptionThatCannotBeDescribedFailsOnlyItsHookAndTheRestIsUndone() {
    writer("first", 10, "pre-start", "/sys/a", "performance");
    host.hook(
        "nasty.groovy",
        """
        class Unreadable extends RuntimeException {
          String getMessage() { throw new IllegalStateException('no message for you') }
        }
        class Circular extends java.util.concurrent.CompletionException {
          Circular() { super('circular', null) }
          Throwable getCause() { this }
        }
        class Asserting extends RuntimeException {
          String getMessage() { assert false; 'never' }
        }
        class Checked extends RuntimeException {
          String getMessage() { throw new java.io.IOException('checked, undeclared') }
        }
        class NoStack extends RuntimeException {
          NoStack() { super('no stack') }
          StackTraceElement[] getStackTrace() { null }
        }
        def nasty = [101: { new Unreadable() }, 102: { new Circular() }, 103: { new Asserting() },
                     104: { new Checked() }, 105: { new NoStack() }, 106: { new RuntimeException() {} },
                     107: { new RuntimeException('y' * 10_000_000) }]
        hook('nasty') {
          order 20
          timeout 5
          on('pre-start') { ev -> throw nasty[ev.vmid.value()]() }
        }
        """);
    for (String vmid : List.of("102", "103", "104", "105", "106", "107")) {
      host.file("etc/pve/qemu-server/" + vmid + ".conf", "memory: 1024\nname: vm" + vmid + "\n");
    }
    Map<String, String> before = host.snapshot();

    for (String vmid : List.of("101", "102", "103", "104", "105", "106", "107")) {
      long start = System.nanoTime();
      Cli.Result result = json(vmid, "pre-start");
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

      assertEquals(ExitCodes.HOOK_FAILED, result.exitCode(), vmid + ": " + result);
      assertEquals(List.of("first:ok", "nasty:failed"), names(result.json()), result::toString);
      assertTrue(millis < 4_000, vmid + " took " + millis + " ms: not the hook's timeout");
      assertEquals(before, host.snapshot(), vmid + ": the rollback leaves the host as it was");
    }
    assertEquals(
        "Unreadable: its message could not be read (IllegalStateException) (at nasty.groovy:18)",
        json("101", "pre-start").json().get("hooks").get(1).get("message").asText());
    assertEquals(
        "RuntimeException (at nasty.groovy:19)",
        json("106", "pre-start").json().get("hooks").get(1).get("message").asText());
    String huge = json("107", "pre-start").json().get("hooks").get(1).get("message").asText();
    assertTrue(huge.length() < 5_000, "a 10 MB message, " + huge.length() + " characters of it");
    assertTrue(huge.endsWith("... (9995922 more characters) (at nasty.groovy:20)"), huge);
  }

  @Test
  void humanReportTellsProxmoxTheStartIsAborted() {
    writer("first", 10, "pre-start", "/sys/a", "1");
    failing("second", 20, "pre-start");
    golden().assertMatches("phase/pre-start-aborted-with-undo", run("101", "pre-start"));
  }

  @Test
  void failuresAfterPreStartAreReportedAndTheRestStillRuns() {
    failing("first", 10, "post-stop");
    writer("second", 20, "post-stop", "/sys/b", "released");
    Cli.Result result = json("101", "post-stop");
    assertEquals(0, result.exitCode(), result::toString);
    assertEquals("failed", result.json().get("outcome").asText());
    assertEquals(List.of("first:failed", "second:ok"), names(result.json()));
    assertEquals("released", host.read("sys/b"), "no rollback outside pre-start");
  }

  @Test
  void strictModeMakesLaterPhaseFailuresFatal() {
    failing("first", 10, "pre-stop");
    assertEquals(1, run("--strict", "101", "pre-stop").exitCode());
    assertEquals(
        1,
        Cli.run(
                Map.of("GUESTHOOK_STRICT", "true"),
                HostTree.args(host.options(), "101", "pre-stop"))
            .exitCode());
  }

  @Test
  void hungHookTimesOutAndIsAbandonedWithoutHangingTheStart() {
    writer("first", 10, "pre-start", "/sys/a", "1");
    host.hook(
        "hang.groovy", "hook('hang') { order 20; on('pre-start') { Thread.sleep(60_000) } }\n");
    long start = System.nanoTime();
    Cli.Result result = json("--hook-timeout", "0.5", "101", "pre-start");
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1, result.exitCode(), result::toString);
    assertEquals(List.of("first:ok", "hang:timed-out"), names(result.json()));
    assertEquals(
        "no answer within 0.5 s; abandoned",
        result.json().get("hooks").get(1).get("message").asText());
    assertEquals("0\n", host.read("sys/a"), "the earlier hook's change is undone");
    assertTrue(tookMillis < 10_000, "took " + tookMillis + " ms");
  }

  @Test
  void aHookCanSetItsOwnTimeout() {
    host.hook(
        "slow.groovy", "hook('slow') { timeout 0.3; on('post-start') { Thread.sleep(30_000) } }\n");
    Cli.Result result = json("101", "post-start");
    assertEquals(
        "timed-out", result.json().get("hooks").get(0).get("outcome").asText(), result::toString);
    assertEquals(0, result.exitCode(), "post-start failures are only reported");
  }

  @Test
  void syntaxErrorIsReportedWithFileLineAndColumnAndOnlyFailsItsPhases() {
    writer("good", 10, "post-start", "/sys/a", "1");
    host.hook(
        "bad.groovy", "hook('bad') {\n  on('pre-start') {\n    write '/sys/b', 'x' +\n  }\n}\n");
    Map<String, String> before = host.snapshot();

    Cli.Result listing = run("hooks");
    assertEquals(1, listing.exitCode(), listing::toString);
    assertTrue(
        listing.out().contains("error: " + host.hooks() + "/bad.groovy:4:3: "), listing::toString);
    assertTrue(listing.out().contains("good"), "the good hook still loads: " + listing);

    Cli.Result preStart = json("101", "pre-start");
    assertEquals(1, preStart.exitCode(), preStart::toString);
    assertTrue(
        preStart
            .json()
            .get("hooks")
            .get(0)
            .get("message")
            .asText()
            .startsWith("not loaded: " + host.hooks() + "/bad.groovy:4:3: "),
        preStart::toString);
    assertEquals(before, host.snapshot());

    Cli.Result postStart = json("101", "post-start");
    assertEquals(0, postStart.exitCode(), postStart::toString);
    assertEquals(List.of("good:ok"), names(postStart.json()), "bad.groovy names only pre-start");
  }

  @Test
  void unchangedHooksAreCompiledOnceAndServedFromTheCache() throws Exception {
    writer("one", 10, "pre-start", "/sys/a", "1");
    writer("two", 20, "pre-start", "/sys/b", "1");
    JsonNode first = json("hooks").json();
    assertEquals(2, first.get("compiled").asInt());
    assertEquals(0, first.get("cached").asInt());

    JsonNode second = json("hooks").json();
    assertEquals(0, second.get("compiled").asInt(), "second run must not compile");
    assertEquals(2, second.get("cached").asInt());
    assertEquals(0, run("101", "pre-start").exitCode());

    writer("two", 20, "pre-start", "/sys/b", "2");
    JsonNode third = json("hooks").json();
    assertEquals(1, third.get("compiled").asInt(), "only the changed file is recompiled");
    assertEquals(1, third.get("cached").asInt());
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(host.root().resolve("var/cache/guesthook/hooks"))));
  }

  @Test
  void hookWritableByOthersIsRefusedWithTheFix() throws Exception {
    Path hook =
        host.hook("open.groovy", "hook('open') { on('pre-start') { write '/sys/a', 'owned' } }\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rw-rw-rw-"));
    Map<String, String> before = host.snapshot();
    Cli.Result result = json("101", "pre-start");
    assertEquals(1, result.exitCode(), result::toString);
    assertEquals(
        "not loaded: refused: "
            + hook
            + " is writable by group and others (mode 0666); fix: chmod go-w "
            + hook,
        result.json().get("hooks").get(0).get("message").asText());
    assertEquals(before, host.snapshot());
  }

  @Test
  void hookInAFolderOthersCanWriteIsRefused() throws Exception {
    writer("fine", 10, "pre-start", "/sys/a", "1");
    Files.setPosixFilePermissions(host.hooks(), PosixFilePermissions.fromString("rwxrwxrwx"));
    Cli.Result result = run("hooks");
    assertEquals(1, result.exitCode());
    assertTrue(
        result
            .out()
            .contains(
                host.hooks() + " is writable by group and others (mode 0777); fix: chmod go-w"),
        result::toString);
  }

  @Test
  void hookOwnedBySomeoneElseIsRefused() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0,
        "giving a hook to another owner needs root: run the build as root");
    Path hook =
        host.hook("theirs.groovy", "hook('theirs') { on('pre-start') { write '/sys/a', '1' } }\n");
    Files.setAttribute(hook, "unix:uid", 4242);
    Cli.Result result = run("hooks");
    assertEquals(1, result.exitCode());
    assertTrue(
        result.out().contains(hook + " is owned by uid 4242, not by root or the runtime's user"),
        result::toString);
  }

  @Test
  void existingHookscriptRunsAsAHookWithProxmoxArguments() {
    host.hook(
        "50-legacy.sh",
        """
        #!/bin/sh
        echo "called with $1 $2 from '$PVE_MIGRATED_FROM'"
        echo "$1 $2" > "%s/sys/a"
        """
            .formatted(host.root()));
    Cli.Result result =
        Cli.run(
            Map.of("PVE_MIGRATED_FROM", "pve2"), HostTree.args(host.options(), "101", "pre-start"));
    golden().assertMatches("phase/hookscript-on-incoming-migration", result);
    assertEquals("101 pre-start\n", host.read("sys/a"));
  }

  @Test
  void aHookscriptThatIsNotExecutableAbortsTheStartAsProxmoxWouldWithTheFix() throws Exception {
    writer("tuning", 10, "pre-start", "/sys/a", "performance");
    Path script = host.hook("50-legacy.sh", "#!/bin/sh\necho started > /dev/null\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
    Map<String, String> before = host.snapshot();

    golden().assertMatches("phase/hookscript-not-executable", run("101", "pre-start"));
    assertEquals(
        before,
        host.snapshot(),
        "nothing changed: the refused file fails the phase before any hook acts");
  }

  @Test
  void aFileWithASuffixGuesthookIgnoresNeedNotBeExecutable() throws Exception {
    Path notes = host.hook("50-legacy.sh.disabled", "#!/bin/sh\nexit 1\n");
    Files.setPosixFilePermissions(notes, PosixFilePermissions.fromString("rw-r--r--"));
    Cli.Result result = run("101", "pre-start");
    assertEquals(0, result.exitCode(), result::toString);
  }

  @Test
  void failingHookscriptFailsThePreStartWithItsLastLine() {
    host.hook("10-legacy.sh", "#!/bin/sh\necho 'vfio: device busy' >&2\nexit 3\n");
    Cli.Result result = json("101", "pre-start");
    assertEquals(1, result.exitCode());
    assertEquals(
        "exit code 3: vfio: device busy",
        result.json().get("hooks").get(0).get("message").asText());
    assertEquals(
        10,
        json("hooks").json().get("hooks").get(0).get("order").asInt(),
        "order from the 10- prefix");
  }

  @Test
  void hungHookscriptIsKilled() {
    host.hook("sleeper.sh", "#!/bin/sh\nsleep 60\n");
    long start = System.nanoTime();
    Cli.Result result = json("--hook-timeout", "0.5", "101", "post-stop");
    assertEquals(
        "timed-out", result.json().get("hooks").get(0).get("outcome").asText(), result::toString);
    assertTrue((System.nanoTime() - start) / 1_000_000 < 10_000);
  }

  @Test
  void dryRunShowsThePlanAndChangesNothing() {
    writer("first", 10, "pre-start", "/sys/a", "performance");
    host.hook("20-legacy.sh", "#!/bin/sh\ntouch /tmp/should-not-exist\n");
    Map<String, String> before = host.snapshot();
    golden().assertMatches("phase/dry-run", run("--dry-run", "101", "pre-start"));
    assertEquals(before, host.snapshot());
  }

  @Test
  void situationTellsResumeFromPlainStart() {
    host.vm(
        103, "lock: suspended\nmemory: 1024\nvmstate: local-lvm:vm-103-state-suspend-2026-11-20\n");
    assertEquals("resume", json("103", "pre-start").json().get("situation").asText());
    assertEquals("hibernation", json("103", "post-stop").json().get("situation").asText());
    assertEquals("start", json("101", "pre-start").json().get("situation").asText());
    assertEquals("stop", json("101", "post-stop").json().get("situation").asText());
  }

  @Test
  void containerConfigsAreAcceptedAsLxcGuests() {
    host.file("etc/pve/lxc/200.conf", "arch: amd64\nhostname: ct200\n");
    JsonNode doc = json("200", "pre-start").json();
    assertEquals("lxc", doc.get("guestType").asText());
  }

  @Test
  void nodeComesFromHostnameUnlessOverridden() {
    assertEquals("pve-test", json("101", "pre-start").json().get("node").asText());
    assertEquals("pve9", json("--node", "pve9", "101", "pre-start").json().get("node").asText());
  }

  /** Found by the second adversary pass: an /etc/hostname that cannot be read failed the phase. */
  @Test
  void anUnreadableHostnameFileLeavesTheSystemsHostNameToStandIn() throws Exception {
    Path hostname = host.root().resolve("etc/hostname");
    Files.delete(hostname);
    Files.createDirectory(hostname);

    Cli.Result result = json("101", "pre-start");

    assertEquals(0, result.exitCode(), result::toString);
    assertFalse(result.json().get("node").asText().isEmpty(), result::toString);
  }

  @Test
  void qmSetOnTheSameGuestIsRefusedInsteadOfDeadlocking() {
    host.hook(
        "selfedit.groovy",
        "hook('selfedit') { on('pre-start') { ev -> run('qm', 'set', ev.vmid, '--memory', '4096') } }\n");
    Cli.Result result = json("101", "pre-start");
    assertEquals(1, result.exitCode());
    assertEquals(
        "EDEADLK: refused 'qm set 101 --memory 4096': Proxmox holds the config lock of guest 101 while"
            + " its hookscript runs, so this would wait forever (at selfedit.groovy:1)",
        result.json().get("hooks").get(0).get("message").asText());
  }

  @Test
  void helperMethodsInAHookFileSeeTheContext() {
    host.hook(
        "helper.groovy",
        """
        hook('helper') {
          on('pre-start') { ev -> mark("vm${ev.vmid}") }
        }
        void mark(String value) { write '/sys/a', value; log.info "marked ${value}" }
        """);
    Cli.Result result = run("101", "pre-start");
    assertEquals(0, result.exitCode(), result::toString);
    assertEquals("vm101", host.read("sys/a"));
    assertTrue(result.out().contains("  [helper] marked vm101\n"));
  }

  @Test
  void perVmSettingsAndPerVmHookFoldersApplyToThatGuestOnly() throws Exception {
    host.file(
        "etc/guesthook/guesthook.yaml",
        "hooks:\n  tag: { value: default }\nvms:\n  \"101\":\n    tag: { value: vm101 }\n");
    host.vm(102, "memory: 1024\n");
    host.hook(
        "tag.groovy",
        "hook('tag') { settings { string 'value' }; on('post-start') { ev -> write \"/sys/${ev.vmid == new VmId(101) ? 'a' : 'b'}\", settings.value } }\n");
    Files.createDirectories(host.hooks().resolve("102"));
    Files.setPosixFilePermissions(
        host.hooks().resolve("102"), PosixFilePermissions.fromString("rwxr-xr-x"));
    host.hook(
        "102/only102.groovy", "hook('only102') { on('post-start') { log.info 'just for 102' } }\n");

    assertEquals(List.of("tag:ok"), names(json("101", "post-start").json()));
    assertEquals("vm101", host.read("sys/a"));
    assertEquals(List.of("only102:ok", "tag:ok"), names(json("102", "post-start").json()));
    assertEquals("default", host.read("sys/b"));
  }

  @Test
  void settingsForAHookThatDeclaresNoneAreRefusedAndDeclaredOnesAreTyped() throws Exception {
    host.file("etc/guesthook/guesthook.yaml", "hooks:\n  tag: { value: x }\n");
    host.hook(
        "tag.groovy", "hook('tag') { on('pre-start') { ev -> write '/sys/a', settings.value } }\n");
    Map<String, String> before = host.snapshot();
    Cli.Result refused = run("101", "pre-start");
    assertEquals(2, refused.exitCode(), refused::toString);
    assertEquals(
        "guesthook: error: "
            + host.root().resolve("etc/guesthook/guesthook.yaml")
            + ":2:10: hooks.tag.value:"
            + " unknown setting: this hook declares no settings (its file has no settings { ... } block)\n",
        refused.err());
    assertEquals(before, host.snapshot());

    host.hook(
        "tag.groovy",
        """
        hook('tag') {
          settings { integer 'value', min: 1; bool 'loud', default: false }
          on('pre-start') { ev -> write '/sys/a', "${settings.value.getClass().simpleName} ${settings.value} ${settings.loud}" }
        }
        """);
    host.file("etc/guesthook/guesthook.yaml", "hooks:\n  tag: { value: 7 }\n");
    Cli.Result typed = run("101", "pre-start");
    assertEquals(0, typed.exitCode(), typed::toString);
    assertEquals("Integer 7 false", host.read("sys/a"));
  }

  @Test
  void aTypoInASettingsDeclarationFailsTheHookFileNotTheAdmin() throws Exception {
    host.hook(
        "tag.groovy",
        "hook('tag') { settings { integer 'value', optinal: true }; on('pre-start') { ev -> } }\n");
    Cli.Result listed = Cli.run(HostTree.args(host.options(), "hooks"));
    assertEquals(1, listed.exitCode(), listed::toString);
    assertTrue(
        listed
            .out()
            .contains(
                "hook 'tag': setting 'value': unknown option 'optinal'; did you mean 'optional'?"
                    + " (known: default, description, max, min, optional)"),
        listed::toString);
  }

  @Test
  void aSettingTypeThatDoesNotExistIsNamedWithTheOneMeantAndCheckReportsTheFile() throws Exception {
    host.hook(
        "tag.groovy", "hook('tag') { settings { boolean 'loud' }; on('pre-start') { ev -> } }\n");
    Cli.Result listed = Cli.run(HostTree.args(host.options(), "hooks"));
    assertEquals(1, listed.exitCode(), listed::toString);
    assertTrue(
        listed
            .out()
            .contains(
                "hook 'tag': 'boolean' is not a setting type; did you mean 'bool'? (types: string,"
                    + " integer, bool, enumeration, list, map, pci, mac, driver, mdevType, vlan, uuid)"),
        listed::toString);
    Cli.Result checked = Cli.run(HostTree.args(host.options(), "--json", "check", "101"));
    assertEquals(1, checked.exitCode(), checked::toString);
    assertTrue(checked.out().contains("\"subject\" : \"hook file tag.groovy\""), checked::toString);
  }

  @Test
  void hooksListsTheSettingsEachHookDeclares() throws Exception {
    host.hook(
        "tag.groovy",
        """
        hook('tag') {
          settings {
            list('vfs', optional: true, description: 'the VFs') { pci 'pf'; vlan 'vlan', optional: true }
            bool 'loud', default: false
          }
          on('pre-start') { ev -> }
        }
        """);
    Cli.Result listed = Cli.run(HostTree.args(host.options(), "hooks", "--settings"));
    assertEquals(0, listed.exitCode(), listed::toString);
    List<List<String>> rows =
        listed.out().lines().skip(2).map(line -> List.of(line.strip().split("\\s{2,}"))).toList();
    assertEquals(
        List.of(
            List.of("vfs", "list, optional", "the VFs"),
            List.of("pf", "pci"),
            List.of("vlan", "vlan, optional"),
            List.of("loud", "boolean, optional, default false")),
        rows,
        listed::toString);
    assertTrue(
        listed.out().contains("\n           pf "),
        "an entry's settings are indented under its list: " + listed.out());
  }

  @Test
  void jsonResultHasTheFieldsMachinesNeed() {
    writer("first", 10, "pre-start", "/sys/a", "1");
    Cli.Result result = json("101", "pre-start");
    JsonNode doc = result.json();
    assertEquals(101, doc.get("vmid").asInt());
    assertEquals("pre-start", doc.get("phase").asText());
    assertEquals("ok", doc.get("outcome").asText());
    assertEquals(0, doc.get("exitCode").asInt());
    JsonNode hook = doc.get("hooks").get(0);
    assertEquals("first", hook.get("name").asText());
    assertTrue(hook.get("durationMs").isNumber());
    assertEquals("/sys/a", hook.get("changes").get(0).get("target").asText());
    assertFalse(result.out().contains("[first]"), "log lines go to stderr with --json");
  }
}
