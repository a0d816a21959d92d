package dev.guesthook.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.core.hookhost.HookState;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.VmId;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.SandboxSnapshot;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What an unprivileged user who can plant a link (or own a folder) tries against the root runtime:
 * each attempt must leave the file it aimed at exactly as it was.
 */
class PlantedLinkTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();
  static final String PRECIOUS = "root:x:0:0:root:/root:/bin/bash\n";
  static final int NOBODY = 65534;

  @TempDir Path base;
  Path root;
  Path target;

  @BeforeEach
  void sandboxAndAFileOutsideIt() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    target = Files.createDirectories(base.resolve("etc")).resolve("passwd");
    Files.writeString(target, PRECIOUS);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
  }

  private Cli.Result preStart(String vmid) {
    return Cli.run(
        List.of(
            "--root",
            root.toString(),
            "--simulate",
            "--hooks",
            STOCK.toString(),
            vmid,
            "pre-start"));
  }

  private Path plant(String relative, Path to) throws Exception {
    Path link = root.resolve(relative);
    Files.createDirectories(link.getParent());
    Files.deleteIfExists(link);
    return Files.createSymbolicLink(link, to);
  }

  private void assertTargetUntouched() throws Exception {
    assertEquals(PRECIOUS, Files.readString(target));
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
  }

  @Test
  void aLinkAtAGuestsLockIsNeitherTruncatedNorChmodded() throws Exception {
    plant("run/guesthook/locks/vm-501.lock", target);
    Cli.Result result = preStart("501");
    assertNotEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertTrue(result.toString().contains("vm-501.lock is a symbolic link"), result::toString);
    assertTargetUntouched();
  }

  @Test
  void aLinkAtARecordingGetsNoJsonAppended() throws Exception {
    plant("var/lib/guesthook/recordings/501-" + LocalDate.now(ZoneOffset.UTC) + ".jsonl", target);
    Cli.Result result = preStart("501");
    assertTrue(result.toString().contains("not recorded"), result::toString);
    assertTrue(result.toString().contains("is a symbolic link"), result::toString);
    assertTargetUntouched();
  }

  @Test
  void aLinkedRecordingsFolderIsNotWrittenThrough() throws Exception {
    Path elsewhere = Files.createDirectories(base.resolve("elsewhere"));
    plant("var/lib/guesthook/recordings", elsewhere);
    Cli.Result result = preStart("501");
    assertTrue(result.toString().contains("not recorded"), result::toString);
    assertEquals(List.of(), list(elsewhere));
  }

  /**
   * The journal's folder, or the state folder above it, linked elsewhere: no journal is written
   * there, and nothing changes.
   */
  @ParameterizedTest
  @ValueSource(strings = {"var/lib/guesthook/journal", "var/lib/guesthook"})
  void aLinkedJournalFolderIsNotWrittenThroughAndTheStartChangesNothing(String folder)
      throws Exception {
    Path elsewhere = Files.createDirectories(base.resolve("journal-elsewhere"));
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
    plant(folder, elsewhere);
    SandboxSnapshot before = SandboxSnapshot.of(root);
    Cli.Result result = preStart("501");
    assertEquals(ExitCodes.HOOK_FAILED, result.exitCode(), result::toString);
    assertTrue(result.toString().contains("is a symbolic link"), result::toString);
    assertEquals(List.of(), list(elsewhere));
    SandboxSnapshot.of(root).assertSameAs(before, "a start whose journal could not be written");
  }

  /**
   * A FIFO where the day's recording goes: Java opens files without O_NONBLOCK, and the phase
   * waited on it for good, holding the guest's lock. It is refused, naming the path.
   */
  @Test
  void aFifoAtARecordingIsRefusedAndThePhaseEnds() throws Exception {
    Path fifo =
        root.resolve(
            "var/lib/guesthook/recordings/501-" + LocalDate.now(ZoneOffset.UTC) + ".jsonl");
    Files.createDirectories(fifo.getParent());
    Process mkfifo = new ProcessBuilder("mkfifo", "-m", "600", fifo.toString()).start();
    assertEquals(0, mkfifo.waitFor());

    Cli.Result result = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> preStart("501"));

    assertTrue(result.toString().contains("not recorded"), result::toString);
    assertTrue(result.toString().contains(fifo + " is not a regular file"), result::toString);
  }

  /**
   * The journal folder linked elsewhere: a reconcile reads no journal through it, so it puts back
   * nothing a journal there names (before, it moved a guest's VF off vfio-pci, and refused the link
   * only when it went to delete the journal).
   */
  @Test
  void aReconcileReadsNoJournalThroughALinkedJournalFolder() throws Exception {
    assertEquals(ExitCodes.OK, preStart("501").exitCode());
    Path journals = root.resolve("var/lib/guesthook/journal");
    Path journal = journals.resolve("501.jsonl");
    Files.writeString( // the start is an hour old: nothing waits for its QEMU any more
        journal,
        Files.readString(journal)
            .replaceAll(
                "\"started\":\"[^\"]+\"",
                "\"started\":\"" + Instant.now().minus(Duration.ofHours(1)) + "\""));
    Path elsewhere = base.resolve("journal-elsewhere");
    Files.move(journals, elsewhere);
    Files.createSymbolicLink(journals, elsewhere);

    Cli.Result result =
        Cli.run(List.of("--root", root.toString(), "--simulate", "reconcile", "--vm", "501"));

    assertEquals(
        "vfio-pci",
        Files.readSymbolicLink(root.resolve("sys/bus/pci/devices/0000:03:02.1/driver"))
            .getFileName()
            .toString(),
        result::toString);
    assertTrue(result.toString().contains("cannot be trusted"), result::toString);
    assertTrue(result.toString().contains("symbolic link"), result::toString);
  }

  @Test
  void aLinkedHookCacheGetsNoCompiledJars() throws Exception {
    Path elsewhere = Files.createDirectories(base.resolve("cache-elsewhere"));
    Files.setPosixFilePermissions(elsewhere, PosixFilePermissions.fromString("rwx------"));
    plant("var/cache/guesthook/hooks", elsewhere);
    Cli.Result result = preStart("501");
    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertEquals(List.of(), list(elsewhere));
  }

  @Test
  void aLinkedStateFolderDoesNotLetReconcileEmptyItsTarget() throws Exception {
    Path elsewhere = Files.createDirectories(base.resolve("important"));
    Files.writeString(elsewhere.resolve("keep.conf"), "mine\n");
    plant("run/guesthook/state/501", elsewhere);
    for (var host : List.of(new LinuxHost(root), SimulatedHost.sandbox(root))) {
      HostException refused =
          assertThrows(HostException.class, () -> HookState.forgetAll(host, VmId.parse("501")));
      assertTrue(refused.getMessage().contains("is a symbolic link"), refused::getMessage);
    }
    assertEquals(List.of("keep.conf"), list(elsewhere));
  }

  @Test
  void theSimulatorWritesNoAttributeLinkedOutOfTheSandbox() throws Exception {
    plant("sys/module/planted", target);
    HostException refused =
        assertThrows(
            HostException.class,
            () -> SimulatedHost.sandbox(root).write(HostPath.parse("/sys/module/planted"), "0\n"));
    assertEquals("EXDEV", refused.errno(), refused::getMessage);
    assertTrue(refused.getMessage().startsWith("/sys/module/planted: "), refused::getMessage);
    assertTargetUntouched();
  }

  @Test
  void aSandboxIsNotCreatedInAFolderAnotherUserOwns() throws Exception {
    Path theirs = Files.createDirectories(base.resolve("theirs"));
    Files.setAttribute(theirs, "unix:uid", NOBODY);
    Cli.Result result = Cli.run(List.of("sandbox", "create", theirs.toString()));
    assertEquals(ExitCodes.USAGE, result.exitCode(), result::toString);
    assertEquals(
        "guesthook: error: refusing to create a sandbox in "
            + theirs
            + ": "
            + theirs
            + " is owned by uid "
            + NOBODY
            + ", not by root or the runtime's user (uid 0); fix: chown root "
            + theirs
            + "\n",
        result.err());
    assertEquals(List.of(), list(theirs));
  }

  @Test
  void configuredFoldersCannotClimbOutOfTheRoot() throws Exception {
    for (String key : List.of("recording-dir", "cache-dir")) {
      Path config = root.resolve("etc/guesthook/guesthook.yaml");
      Files.createDirectories(config.getParent());
      Files.writeString(config, key + ": /../../..\n");
      Cli.Result result = preStart("501");
      assertEquals(ExitCodes.USAGE, result.exitCode(), result::toString);
      assertEquals(
          "guesthook: error: "
              + config
              + ":1:"
              + (key.length() + 3)
              + ": "
              + key
              + ": '/../../..' leads out"
              + " of the root "
              + root
              + "; fix: give a path on the host without '..', such as /var/lib/guesthook/recordings\n",
          result.err());
      assertFalse(
          Files.exists(root.resolve("var/lib/guesthook/recordings"), LinkOption.NOFOLLOW_LINKS));
      assertFalse(Files.exists(base.getRoot().resolve("hooks")), "nothing written at /");
    }
  }

  private static List<String> list(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
