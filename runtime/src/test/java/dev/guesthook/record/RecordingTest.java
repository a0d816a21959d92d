package dev.guesthook.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.guest.Situation;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.VmConfigParser;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a recording holds, and that keeping it never costs a VM its start. */
class RecordingTest {
  static final String DAY = "2026-11-24";
  @TempDir Path base;

  private Path sandbox() throws Exception {
    Path root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    return root;
  }

  private static Path recordings(Path root) {
    return root.resolve("var/lib/guesthook/recordings");
  }

  private static List<RecordedEvent> read(Path file, List<String> warnings) throws Exception {
    List<RecordedEvent> out = new ArrayList<>();
    try (RecordingReader reader = new RecordingReader(file, warnings::add)) {
      reader.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void aPhaseIsRecordedWithItsConfigSettingsAndEveryHostInteraction() throws Exception {
    Path root = sandbox();
    assertEquals(
        0,
        Cli.run(List.of("--root", root.toString(), "--simulate", "501", "pre-start")).exitCode());
    Path file;
    try (var files = Files.list(recordings(root))) {
      file =
          files
              .filter(f -> f.getFileName().toString().startsWith("501-"))
              .findFirst()
              .orElseThrow();
    }
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    List<RecordedEvent> events = read(file, new ArrayList<>());
    assertEquals(1, events.size());
    Recording recording = events.get(0).recording();
    assertEquals(Phase.PRE_START, recording.event().phase());
    assertTrue(recording.event().configText().contains("hostpci0: 0000:03:02.1,pcie=1"));
    List<?> vfs = (List<?>) recording.settingsOf("sriov-vf").get("vfs");
    assertEquals("52:54:00:5a:01:01", ((Map<?, ?>) vfs.get(0)).get("mac"));
    Recording.Hook sriov =
        recording.hooks().stream()
            .filter(h -> h.name().equals("sriov-vf"))
            .findFirst()
            .orElseThrow();
    HostInteraction first = sriov.interactions().get(0);
    assertEquals(
        HostInteraction.Kind.EXISTS,
        first.kind(),
        "reads are recorded with what they saw, in order");
    assertTrue(first.result() instanceof HostInteraction.Flag);
    boolean wroteNumvfs =
        sriov
            .interactions()
            .contains(
                new HostInteraction(
                    HostInteraction.Kind.WRITE,
                    "/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs",
                    "4",
                    new HostInteraction.Done()));
    assertTrue(wroteNumvfs, sriov::toString);
  }

  @Test
  void recordingOffWritesNothing() throws Exception {
    Path root = sandbox();
    assertEquals(0, Cli.run(List.of("--root", root.toString(), "record", "--off")).exitCode());
    assertEquals(
        0,
        Cli.run(List.of("--root", root.toString(), "--simulate", "501", "pre-start")).exitCode());
    try (var files = Files.list(recordings(root))) {
      assertEquals(List.of(".off"), files.map(f -> f.getFileName().toString()).toList());
    }
  }

  @Test
  void aFullDiskCostsAWarningNotTheStart() throws Exception {
    Path root = sandbox();
    Files.createDirectories(recordings(root));
    String day = java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString();
    Files.createSymbolicLink(
        recordings(root).resolve("501-" + day + ".jsonl"), Path.of("/dev/full"));
    Cli.Result start =
        Cli.run(List.of("--root", root.toString(), "--simulate", "501", "pre-start"));
    assertEquals(0, start.exitCode(), start::toString);
    assertTrue(
        start
            .out()
            .contains(
                "guesthook: warning: not recorded ("
                    + recordings(root)
                    + "/501-"
                    + day
                    + ".jsonl): "),
        start::toString);
  }

  @Test
  void anUnusableRecordingFolderCostsAWarningNotTheStart() throws Exception {
    Path root = sandbox();
    Files.createDirectories(recordings(root).getParent());
    Files.writeString(recordings(root), "a file where the folder should be\n");
    Cli.Result start =
        Cli.run(List.of("--root", root.toString(), "--simulate", "501", "pre-start"));
    assertEquals(0, start.exitCode(), start::toString);
    assertTrue(start.out().contains("guesthook: warning: not recorded"), start::toString);
  }

  private static DispatchResult result(int vmid) throws Exception {
    LifecycleEvent event =
        new LifecycleEvent(
            new VmId(vmid),
            Phase.PRE_START,
            GuestType.QEMU,
            "pve1",
            Instant.parse(DAY + "T10:00:00Z"),
            VmConfigParser.parse(
                "/etc/pve/qemu-server/" + vmid + ".conf",
                "memory: 512\nname: " + "x".repeat(200) + "\n"),
            Situation.START,
            Optional.empty());
    return new DispatchResult(
        event,
        List.of(
            new HookOutcome(
                "h",
                "/h.groovy",
                HookOutcome.Status.OK,
                Duration.ofMillis(3),
                "",
                List.of(),
                List.of())),
        false);
  }

  @Test
  void filesRotatePastTheirSizeKeepingTheNewest() throws Exception {
    Path dir = base.resolve("rec");
    Recorder recorder =
        new Recorder(
            dir,
            1500,
            2,
            w -> {
              throw new AssertionError(w);
            });
    for (int i = 0; i < 7; i++) {
      recorder.record(result(101), Map.of());
    }
    try (var files = Files.list(dir)) {
      assertEquals(
          List.of("101-" + DAY + ".jsonl", "101-" + DAY + ".jsonl.1", "101-" + DAY + ".jsonl.2"),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
    assertTrue(Files.size(dir.resolve("101-" + DAY + ".jsonl.1")) > 1500);
  }

  @Test
  void aLineIsInTheFileBeforeItsSyncWhichRunsWhereTheRecorderIsTold() throws Exception {
    Path dir = base.resolve("rec");
    List<Runnable> syncs = new ArrayList<>();
    new Recorder(
            dir,
            1 << 20,
            2,
            w -> {
              throw new AssertionError(w);
            },
            syncs::add)
        .record(result(101), Map.of());
    Path file = dir.resolve("101-" + DAY + ".jsonl");
    assertEquals(1, read(file, new ArrayList<>()).size(), "written before the sync");
    assertEquals(1, syncs.size(), "the sync is handed over, not run");
    syncs.get(0).run();
    assertEquals(1, read(file, new ArrayList<>()).size());
  }

  @Test
  void aTornLastLineIsSkippedWithAWarning() throws Exception {
    Path dir = base.resolve("rec");
    new Recorder(dir, 1 << 20, 2, w -> {}).record(result(101), Map.of());
    Path file = dir.resolve("101-" + DAY + ".jsonl");
    Files.writeString(
        file,
        Files.readString(file) + "{\"format\":\"guesthook-recording\",\"vers",
        java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
    List<String> warnings = new ArrayList<>();
    assertEquals(1, read(file, warnings).size());
    assertEquals(List.of(file + ":2: not a complete record (torn by a crash?); skipped"), warnings);
  }

  @Test
  void aNewerFormatIsAClearError() throws Exception {
    Path file = base.resolve("101-" + DAY + ".jsonl");
    Files.writeString(file, "{\"format\":\"guesthook-recording\",\"version\":2,\"event\":{}}\n");
    RecordingException e =
        assertThrows(RecordingException.class, () -> read(file, new ArrayList<>()));
    assertEquals(
        file + ":1: recording format version 2 is newer than the one this guesthook reads (1)",
        e.getMessage());
  }

  @Test
  void eventsShowsTheTimelineOfOneVm() throws Exception {
    Path root = sandbox();
    Cli.run(List.of("--root", root.toString(), "--simulate", "501", "pre-start"));
    Cli.run(List.of("--root", root.toString(), "--simulate", "502", "pre-start"));
    Cli.run(List.of("--root", root.toString(), "--simulate", "501", "post-stop"));
    Cli.Result events = Cli.run(List.of("--root", root.toString(), "events", "--vmid", "501"));
    assertEquals(0, events.exitCode(), events::toString);
    List<String> lines = events.out().lines().toList();
    assertEquals(2, lines.size(), events::toString);
    assertTrue(
        lines.get(0).endsWith("VM 501 pre-start (start): ok; sriov-vf ok (7 changes)"),
        lines.get(0));
    assertTrue(lines.get(1).contains("VM 501 post-stop (stop): ok; sriov-vf ok"), lines.get(1));
    assertFalse(events.out().contains("VM 502"));
  }
}
