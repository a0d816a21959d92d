package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * guesthook replay: a lifecycle of VM 501 (sriov-vf) recorded on a sandbox, replayed against stock
 * and changed hooks.
 */
class ReplayTest {
  @TempDir Path base;
  SandboxHost host;
  Path recording;

  @BeforeEach
  void recordALifecycle() throws Exception {
    host = new SandboxHost(base, SandboxProfile.SRIOV_NIC);
    assertEquals(0, host.phase(501, "pre-start").exitCode());
    assertEquals(0, host.phase(501, "post-stop").exitCode());
    try (Stream<Path> files = Files.list(host.root.resolve("var/lib/guesthook/recordings"))) {
      recording = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
    }
  }

  private Cli.Result replay(Path hooks, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of("--root", host.root.toString(), "--simulate", "--hooks", hooks.toString()));
    args.add("replay");
    args.addAll(List.of(more));
    args.add(recording.toString());
    return Cli.run(args);
  }

  /** The stock hooks with one line of sriov-vf changed, as an admin's edit would. */
  private Path changedHooks() throws Exception {
    Path dir = Files.createDirectories(base.resolve("hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> stock = Files.list(SandboxHost.STOCK)) {
      for (Path file : stock.toList()) {
        String text = Files.readString(file);
        if (file.getFileName().toString().equals("sriov-vf.groovy")) {
          assertTrue(
              text.contains("sriov.ensureAtLeast(raise.key, raise.value)"),
              "the line this test changes");
          text =
              text.replace(
                  "sriov.ensureAtLeast(raise.key, raise.value)",
                  "sriov.ensureAtLeast(raise.key, raise.value + 1)");
        }
        Path copy = dir.resolve(file.getFileName());
        Files.writeString(copy, text);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
      }
    }
    return dir;
  }

  @Test
  void theHooksThatMadeTheRecordingAgreeWithIt() {
    Cli.Result result = replay(SandboxHost.STOCK);
    assertEquals(0, result.exitCode(), result::toString);
    assertTrue(result.out().endsWith("replay: 2 events, 2 agree, 0 differ\n"), result::toString);
  }

  @Test
  void aChangedHookIsCaughtAndTheDiffNamesTheInteraction() throws Exception {
    Cli.Result result = replay(changedHooks());
    assertEquals(1, result.exitCode(), result::toString);
    assertTrue(
        result
            .out()
            .contains(
                "    sriov-vf: - write /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs '4' -> ok\n"
                    + "    sriov-vf: + write /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs '5' -> ok\n"),
        result::toString);
    assertTrue(result.out().endsWith("replay: 2 events, 1 agree, 1 differ\n"), result::toString);
  }

  /**
   * A hook added after the recording was made (a guesthook upgrade's new stock hook, or an author's
   * new file) has no recorded answers to replay against: before, it ran, failed on the first read
   * the recording never held, and made every old recording differ. It is now left out of the replay
   * and named, so the recordings still guard the hooks they recorded.
   */
  @Test
  void aHookAddedAfterTheRecordingIsNotReplayedAndIsNamed() throws Exception {
    Path dir = changedHooks();
    Files.copy(
        SandboxHost.STOCK.resolve("sriov-vf.groovy"),
        dir.resolve("sriov-vf.groovy"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path added = dir.resolve("audit.groovy");
    Files.writeString(
        added,
        "hook('audit') { on('pre-start') { ev -> "
            + "if (!exists('/sys/module/audit_only')) { throw new IllegalStateException('no audit') } } }\n");
    Files.setPosixFilePermissions(added, PosixFilePermissions.fromString("rw-r--r--"));

    Cli.Result result = replay(dir);

    assertEquals(0, result.exitCode(), result::toString);
    assertTrue(result.out().endsWith("replay: 2 events, 2 agree, 0 differ\n"), result::toString);
    assertTrue(
        result
            .err()
            .contains(
                recording
                    + ": hook audit is not in this recording (made before the hook was added):"
                    + " not replayed; record the lifecycle again to cover it"),
        result::toString);
    Cli.Result json = replay(dir, "--json");
    assertEquals(
        "[\"audit\"]",
        json.json().get("results").get(0).get("notReplayed").toString(),
        json::toString);
  }

  @Test
  void updateMakesTheChangeTheNewExpectation() throws Exception {
    Path changed = changedHooks();
    Cli.Result update = replay(changed, "--update");
    assertEquals(1, update.exitCode(), update::toString);
    Cli.Result again = replay(changed);
    assertEquals(0, again.exitCode(), again::toString);
    assertEquals(
        1,
        replay(SandboxHost.STOCK).exitCode(),
        "the stock hook now differs from the updated expectation");
  }

  @Test
  void theSameReplayGivesTheSameReportEveryTime() throws Exception {
    Path changed = changedHooks();
    Cli.Result first = replay(changed, "--json");
    Cli.Result second = replay(changed, "--json");
    assertEquals(first.out(), second.out());
    assertTrue(first.json().get("differ").asInt() == 1, first::toString);
  }

  @Test
  void aHookThatMakesAUuidReplaysToTheSameOne() throws Exception {
    Path dir = Files.createDirectories(base.resolve("uuid-hooks"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path hook = dir.resolve("tag.groovy");
    Files.writeString(
        hook,
        "hook('tag') { on('pre-start') { ev -> host.createDirectories(path('/run/tag')); "
            + "write '/run/tag/id', newUuid().value() } }\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rw-r--r--"));
    Files.delete(
        host.root.resolve(
            "etc/pve/guesthook/502.yaml")); // settings for the stock sriov-vf, not loaded here
    Cli.Result start =
        Cli.run(
            List.of(
                "--root",
                host.root.toString(),
                "--simulate",
                "--hooks",
                dir.toString(),
                "502",
                "pre-start"));
    assertEquals(0, start.exitCode(), start::toString);
    Path tagged;
    try (Stream<Path> files = Files.list(host.root.resolve("var/lib/guesthook/recordings"))) {
      tagged =
          files
              .filter(f -> f.getFileName().toString().startsWith("502-"))
              .findFirst()
              .orElseThrow();
    }
    Cli.Result replay =
        Cli.run(
            List.of(
                "--root",
                host.root.toString(),
                "--simulate",
                "--hooks",
                dir.toString(),
                "replay",
                tagged.toString()));
    assertEquals(0, replay.exitCode(), replay::toString);
  }
}
