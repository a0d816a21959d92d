package dev.guesthook.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.Situation;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.host.HostInteraction.Bytes;
import dev.guesthook.host.HostInteraction.Done;
import dev.guesthook.host.HostInteraction.Errno;
import dev.guesthook.host.HostInteraction.Flag;
import dev.guesthook.host.HostInteraction.Kind;
import dev.guesthook.host.HostInteraction.Link;
import dev.guesthook.host.HostInteraction.Names;
import dev.guesthook.host.HostInteraction.Ran;
import dev.guesthook.host.HostInteraction.Text;
import dev.guesthook.host.HostPath;
import dev.guesthook.id.VmId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The recording codec: every kind of answer comes back as it went, and old recordings read as they
 * were written.
 */
class RecordingCodecTest {
  private static final Path EXAMPLES = Path.of("../examples/recordings");
  @TempDir Path dir;

  private static final List<HostInteraction> EVERY_KIND =
      List.of(
          new HostInteraction(
              Kind.READ, "/sys/class/net/eth0/address", null, new Text("52:54:00:5a:01:01\n")),
          new HostInteraction(
              Kind.READ,
              "/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs",
              null,
              new Errno("ENOENT", "no such file")),
          new HostInteraction(
              Kind.WRITE, "/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs", "4", new Done()),
          new HostInteraction(
              Kind.WRITE,
              "/sys/bus/pci/drivers_probe",
              "0000:03:02.1",
              new Errno("EBUSY", "device busy")),
          new HostInteraction(
              Kind.EXISTS, "/sys/bus/pci/devices/0000:03:00.0", null, new Flag(true)),
          new HostInteraction(
              Kind.EXISTS, "/sys/bus/pci/devices/0000:04:00.0", null, new Flag(false)),
          new HostInteraction(
              Kind.LIST, "/sys/bus/mdev/devices", null, new Names(List.of("a", "b"))),
          new HostInteraction(Kind.LIST, "/sys/bus/mdev/empty", null, new Names(List.of())),
          new HostInteraction(
              Kind.READLINK,
              "/sys/bus/pci/devices/0000:03:02.1/driver",
              null,
              new Link(Optional.of(HostPath.parse("/sys/bus/pci/drivers/vfio-pci")))),
          new HostInteraction(
              Kind.READLINK,
              "/sys/bus/pci/devices/0000:03:02.1/physfn",
              null,
              new Link(Optional.empty())),
          new HostInteraction(Kind.MKDIR, "/run/guesthook/state/501", null, new Done()),
          new HostInteraction(
              Kind.DELETE, "/run/guesthook/state/501/x.json", null, new Errno("EACCES", "denied")),
          new HostInteraction(Kind.STATVFS, "/var/lib/vz", null, new Bytes(123456789012L)),
          new HostInteraction(Kind.STATVFS, "/var/lib/gone", null, new Errno("ENOENT", "gone")),
          new HostInteraction(
              Kind.QUERY, "ip -j link show", "[]\n", new Ran(CommandResult.ran(0, "[]\n"))),
          new HostInteraction(
              Kind.RUN,
              "ip link set eth0 vf 1 vlan 100",
              "RTNETLINK: bad\n",
              new Ran(CommandResult.ran(2, "RTNETLINK: bad\n"))),
          new HostInteraction(
              Kind.RUN,
              "nvidia-smi",
              "",
              new Ran(new CommandResult(CommandResult.Status.TIMED_OUT, 137, ""))),
          new HostInteraction(
              Kind.RUN,
              "modprobe vfio-pci",
              "",
              new Ran(new CommandResult(CommandResult.Status.PLANNED, 0, ""))),
          new HostInteraction(
              Kind.RUN,
              "frobnicate",
              "not simulated\n",
              new Ran(
                  new CommandResult(CommandResult.Status.NOT_SIMULATED, 127, "not simulated\n"))),
          new HostInteraction(
              Kind.RUN,
              "/usr/bin/missing",
              null,
              new Errno("ENOENT", "no such command: /usr/bin/missing")));

  private static Recording recording(List<HostInteraction> interactions) {
    Recording.Event event =
        new Recording.Event(
            new VmId(501),
            Phase.PRE_START,
            Situation.values()[0],
            "qemu",
            "pve1",
            Instant.parse("2026-11-24T19:00:00.518819391Z"),
            Optional.empty(),
            Map.of("memory", "8192"),
            Optional.of("/etc/pve/qemu-server/501.conf"),
            "memory: 8192\n");
    Recording.Hook hook =
        new Recording.Hook(
            "sriov-vf",
            "/hooks/sriov-vf.groovy",
            "failed",
            42,
            "ip failed",
            interactions,
            List.of(new Recording.Undo("put the link back", true, "")));
    return new Recording(
        event, Map.of("sriov-vf", Map.of("numvfs", 4)), "failed", 1, List.of(hook));
  }

  @Test
  void everyKindOfAnswerReadsBackAsItWasWritten() throws Exception {
    Recording written = recording(EVERY_KIND);
    String line = RecordingCodec.write(written);
    Recording read = RecordingCodec.read(line);
    for (int i = 0; i < EVERY_KIND.size(); i++) {
      assertEquals(EVERY_KIND.get(i), read.hooks().get(0).interactions().get(i));
    }
    assertEquals(written, read);
    assertEquals(line, RecordingCodec.write(read));
  }

  @Test
  void aStatvfsAndACommandAreWrittenAsVersionOneWroteThem() {
    String line =
        RecordingCodec.write(
            recording(List.of(EVERY_KIND.get(12), EVERY_KIND.get(15), EVERY_KIND.get(1))));
    assertTrue(
        line.contains(
            "{\"kind\":\"read\",\"target\":\"statvfs /var/lib/vz\",\"value\":null,\"result\":\"123456789012\",\"failed\":false}"),
        line);
    assertTrue(
        line.contains(
            "{\"kind\":\"run\",\"target\":\"ip link set eth0 vf 1 vlan 100\",\"value\":\"RTNETLINK: bad\\n\","
                + "\"result\":\"RAN exit=2\",\"failed\":false}"),
        line);
    assertTrue(line.contains("\"result\":\"ENOENT: no such file\",\"failed\":true}"), line);
  }

  @Test
  void theCommittedExampleRecordingsReadToTypedValuesAndWriteBackByteForByte() throws Exception {
    List<Path> files;
    try (Stream<Path> list = Files.list(EXAMPLES)) {
      files = list.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList();
    }
    assertTrue(files.size() >= 7, files::toString);
    int interactions = 0;
    for (Path file : files) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Recording recording = RecordingCodec.read(line);
        assertEquals(line, RecordingCodec.write(recording), file::toString);
        interactions += recording.hooks().stream().mapToInt(h -> h.interactions().size()).sum();
      }
    }
    assertTrue(interactions > 1000, "interactions read: " + interactions);
  }

  @Test
  void anOldRecordingsAnswersAreTyped() throws Exception {
    Recording first =
        RecordingCodec.read(Files.readAllLines(EXAMPLES.resolve("sriov-vf-mac-vlan.jsonl")).get(0));
    assertEquals(new VmId(501), first.event().vmid());
    assertEquals(Optional.empty(), first.event().migratedFrom());
    assertEquals("0000:03:02.1,pcie=1", first.event().config().get("hostpci0"));
    Recording.Hook sriov =
        first.hooks().stream().filter(h -> h.name().equals("sriov-vf")).findFirst().orElseThrow();
    assertTrue(
        sriov
            .interactions()
            .contains(
                new HostInteraction(
                    Kind.WRITE, "/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs", "4", new Done())),
        sriov::toString);
    assertTrue(
        sriov.interactions().stream()
            .anyMatch(
                call ->
                    call.kind() == Kind.RUN
                        && call.result() instanceof Ran ran
                        && ran.command().status() == CommandResult.Status.RAN
                        && ran.command().exitCode() == 0),
        sriov::toString);
  }

  @Test
  void aDamagedLineIsSkippedWithItsFileAndLine() throws Exception {
    String good = RecordingCodec.write(recording(List.of(EVERY_KIND.get(0))));
    Path file = dir.resolve("501-2026-11-24.jsonl");
    Files.writeString(
        file,
        good
            + "\n"
            + good.replace("\"kind\":\"read\"", "\"kind\":\"teleport\"")
            + "\n"
            + RecordingCodec.write(recording(List.of(EVERY_KIND.get(15))))
                .replace("RAN exit=2", "RAN exit=two")
            + "\n"
            + good.substring(0, 80)
            + "\n"
            + good
            + "\n");
    List<String> warnings = new ArrayList<>();
    List<Integer> lines = new ArrayList<>();
    try (RecordingReader reader = new RecordingReader(file, warnings::add)) {
      reader.forEachRemaining(event -> lines.add(event.line()));
    }
    assertEquals(List.of(1, 5), lines);
    assertEquals(
        List.of(
            file + ":2: unknown interaction kind 'teleport'; skipped",
            file + ":3: command result 'RAN exit=two' is not STATUS exit=N; skipped",
            file + ":4: not a complete record (torn by a crash?); skipped"),
        warnings);
  }

  @Test
  void aRecordOfAnotherVersionFailsNamingFileAndLine() throws Exception {
    Path file = dir.resolve("501-2026-11-24.jsonl");
    Files.writeString(
        file,
        RecordingCodec.write(recording(List.of())).replace("\"version\":1", "\"version\":2")
            + "\n");
    try (RecordingReader reader = new RecordingReader(file, warning -> {})) {
      RecordingException e = assertThrows(RecordingException.class, reader::hasNext);
      assertEquals(
          file + ":1: recording format version 2 is newer than the one this guesthook reads (1)",
          e.getMessage());
    }
  }

  /**
   * A binary read (config space) is kept in hex; an edited line whose bytes are no hex is a damaged
   * record, skipped with its file and line. Before, the replay read it and blamed the hook.
   */
  @Test
  void aBinaryReadReadsBackAndAResultThatIsNoHexIsADamagedRecord() throws Exception {
    HostInteraction config =
        new HostInteraction(
            Kind.READ_BYTES,
            "/sys/bus/pci/devices/0000:0b:00.0/config",
            null,
            new Text("0210bf730000000000000003"));
    String line = RecordingCodec.write(recording(List.of(config)));
    assertEquals(config, RecordingCodec.read(line).hooks().get(0).interactions().get(0));

    for (String edited : List.of("0210bf7", "zz10bf73")) {
      RecordingCodec.Damaged damaged =
          assertThrows(
              RecordingCodec.Damaged.class,
              () -> RecordingCodec.read(line.replace("0210bf730000000000000003", edited)));
      assertTrue(damaged.getMessage().contains("not hex bytes"), damaged.getMessage());
    }
  }
}
