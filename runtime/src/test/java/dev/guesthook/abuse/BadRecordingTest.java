package dev.guesthook.abuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.record.RecordedEvent;
import dev.guesthook.record.RecordingCodec;
import dev.guesthook.record.RecordingReader;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.OneShot;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recording that was damaged, or written by someone else: each bad record is a warning naming
 * file and line, the good ones are still shown and replayed, and no record costs the reader its
 * memory.
 */
class BadRecordingTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();
  static final ObjectMapper JSON = new ObjectMapper();
  static final byte[] NOT_UTF8 = {(byte) 0xc3, (byte) 0x28};

  @TempDir Path base;
  Path root;
  Path recordings;
  String good;

  @BeforeEach
  void recordOneGoodEvent() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    Cli.Result run =
        Cli.run(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                STOCK.toString(),
                "501",
                "pre-start"));
    assertEquals(ExitCodes.OK, run.exitCode(), run::toString);
    recordings = root.resolve("var/lib/guesthook/recordings");
    try (Stream<Path> files = Files.list(recordings)) {
      Path file = files.filter(f -> f.toString().endsWith(".jsonl")).findFirst().orElseThrow();
      good = Files.readAllLines(file).get(0);
      Files.delete(file);
    }
  }

  /** The good record with one field of its event changed. */
  private String withEvent(String field, String value) throws Exception {
    ObjectNode doc = (ObjectNode) JSON.readTree(good);
    ((ObjectNode) doc.get("event")).put(field, value);
    return doc.toString();
  }

  private static byte[] utf8(String line) {
    return line.getBytes(StandardCharsets.UTF_8);
  }

  /** The good record with bytes that are no UTF-8 in its node name. */
  private byte[] notUtf8() {
    String[] halves = good.split("\"node\":\"", 2);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(utf8(halves[0] + "\"node\":\""));
    out.writeBytes(NOT_UTF8);
    out.writeBytes(utf8(halves[1]));
    return out.toByteArray();
  }

  private Path write(String name, byte[]... lines) throws Exception {
    Path file = recordings.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (byte[] line : lines) {
        out.write(line);
        out.write('\n');
      }
    }
    return file;
  }

  /** Lines 1 and 7 good; between them one of each bad record. */
  private Path mixed() throws Exception {
    return write(
        "501-2026-11-24.jsonl",
        utf8(good),
        utf8(withEvent("vmid", "abc")),
        utf8(withEvent("phase", "pre-boot")),
        utf8(withEvent("time", "yesterday")),
        notUtf8(),
        utf8("null"),
        utf8(good));
  }

  private Cli.Result replay(Path file, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--root", root.toString(), "--simulate", "--hooks", STOCK.toString(), "replay"));
    args.addAll(List.of(more));
    args.add(file.toString());
    return Cli.run(args);
  }

  private static void assertWarnsOfEachBadLine(Path file, Cli.Result result) {
    assertTrue(
        result
            .err()
            .contains(
                file
                    + ":2: invalid vmid 'abc': expected an integer from 100 to 999999999; skipped"),
        result::toString);
    assertTrue(
        result.err().contains(file + ":3: unknown phase 'pre-boot': expected one of "),
        result::toString);
    assertTrue(
        result
            .err()
            .contains(
                file
                    + ":4: invalid time 'yesterday': expected an instant such as 2026-11-24T19:00:00Z; skipped"),
        result::toString);
    assertTrue(result.err().contains(file + ":5: not valid UTF-8; skipped"), result::toString);
    assertTrue(
        result.err().contains(file + ":6: not a guesthook record; skipped"), result::toString);
    assertFalse(result.toString().contains("internal error"), result::toString);
  }

  /**
   * {@code --json} writes each result once it is compared, not all of them at the end: a replay
   * stopped by a record of a newer format gives one document with the results before it, in the
   * file's order, and the error (it printed nothing before).
   */
  @Test
  void replayJsonStoppedByANewerRecordKeepsTheResultsBeforeIt() throws Exception {
    ObjectNode newer = (ObjectNode) JSON.readTree(good);
    newer.put("version", RecordingCodec.VERSION + 1);
    Path file =
        write("501-2026-11-24.jsonl", utf8(good), utf8(good), utf8(newer.toString()), utf8(good));
    Cli.Result result = replay(file, "--json");
    assertEquals(ExitCodes.USAGE, result.exitCode(), result::toString);
    JsonNode doc = result.json();
    List<Integer> lines = new ArrayList<>();
    doc.get("results").forEach(item -> lines.add(item.get("line").asInt()));
    assertEquals(List.of(1, 2), lines, result::toString);
    assertTrue(doc.get("error").asText().contains("is newer than"), result::toString);
  }

  @Test
  void replayWarnsOfEachBadRecordAndStillReplaysTheGoodOnes() throws Exception {
    Path file = mixed();
    byte[] before = Files.readAllBytes(file);
    Cli.Result result = replay(file);
    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertWarnsOfEachBadLine(file, result);
    assertTrue(
        result
            .out()
            .contains(
                "replay: 2 events, 2 agree, 0 differ, 5 bad records skipped (see the warnings)"),
        result::toString);
    assertArrayEquals(before, Files.readAllBytes(file));
  }

  @Test
  void replayUpdateLeavesAFileWithBadRecordsAsItWas() throws Exception {
    Path file = mixed();
    byte[] before = Files.readAllBytes(file);
    Cli.Result result = replay(file, "--update");
    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertTrue(
        result.err().contains(file + ": not updated, as 5 records were skipped"), result::toString);
    assertArrayEquals(before, Files.readAllBytes(file));
    assertFalse(Files.exists(file.resolveSibling(file.getFileName() + ".replay-update")));
  }

  /**
   * {@code --hooks} replaces the configured folders: an update with only a folder of one's own
   * changed hooks loaded would have dropped every stock hook's part of the recording, and the next
   * replay agreed without them. The file is left as it was, and the warning names the hooks and the
   * fix.
   */
  @Test
  void anUpdateWithoutTheRecordedHooksLoadedLeavesTheRecordingAsItWas() throws Exception {
    Path file = write("501-2026-11-24.jsonl", utf8(good));
    byte[] before = Files.readAllBytes(file);
    Path own = Files.createDirectories(base.resolve("my-hooks"));
    Files.writeString(
        own.resolve("note.groovy"), "hook('note') { on('pre-start') { log.info 'hello' } }\n");

    Cli.Result result =
        Cli.run(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "--hooks",
                own.toString(),
                "replay",
                "--update",
                file.toString()));

    assertEquals(ExitCodes.HOOK_FAILED, result.exitCode(), result::toString);
    assertTrue(
        result.out().contains("sriov-vf: missing now (it ran in the recording, and no hook folder"),
        result::toString);
    assertTrue(
        result.err().contains(file + ": not updated, as hooks ")
            && result.err().contains("sriov-vf")
            && result.err().contains("fix: give each folder, e.g. --hooks"),
        result::toString);
    assertTrue(
        result.out().contains("1 recording left as it was (see the warnings)"), result::toString);
    assertArrayEquals(before, Files.readAllBytes(file));
    assertFalse(Files.exists(file.resolveSibling(file.getFileName() + ".replay-update")));
  }

  /**
   * Adversary pass: two valid records of 11 MB each (a hook's 150,000 reads) ran replay out of
   * heap: exit 3, "internal error", no file or line. A record too large for the heap bound is now
   * skipped with its file and line, and the records after it are still replayed.
   */
  @Test
  void aRecordTooLargeForTheHeapIsSkippedWithItsLineAndTheOthersReplayed() throws Exception {
    ObjectNode big = (ObjectNode) JSON.readTree(good);
    ArrayNode interactions = (ArrayNode) big.get("hooks").get(0).get("interactions");
    ObjectNode read = JSON.createObjectNode();
    read.put("kind", "read").put("target", "/sys/x").putNull("value");
    read.put("result", "1").put("failed", false);
    for (int i = 0; i < 150_000; i++) {
      interactions.add(read);
    }
    Path file = write("501-2026-11-24.jsonl", utf8(good), utf8(big.toString()), utf8(good));

    Cli.Result result =
        OneShot.start(
                List.of("-Xmx48m"),
                Map.of(),
                List.of(
                    "--root",
                    root.toString(),
                    "--simulate",
                    "--hooks",
                    STOCK.toString(),
                    "replay",
                    file.toString()))
            .await(Duration.ofSeconds(120));

    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertTrue(
        result.out().contains(file + ":2: a record of ")
            && result.out().contains(" MiB takes more memory to read than the heap bound leaves;"),
        result::toString);
    assertTrue(
        result.out().contains("replay: 2 events, 2 agree, 0 differ, 1 bad record skipped"),
        result::toString);
  }

  /**
   * A recording only its owner may read stays so after an update, and whatever lies at the update's
   * name (a leftover, a planted link) is replaced, never written through.
   */
  @Test
  void anUpdateKeepsTheRecordingsModeAndNeverWritesThroughALink() throws Exception {
    Path file = write("501-2026-11-24.jsonl", utf8(good));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Path elsewhere = Files.writeString(base.resolve("elsewhere.txt"), "untouched\n");
    Files.createSymbolicLink(file.resolveSibling(file.getFileName() + ".replay-update"), elsewhere);
    Cli.Result result = replay(file, "--update");
    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("untouched\n", Files.readString(elsewhere));
    assertEquals(1, Files.readAllLines(file).size());
  }

  /**
   * The same file twice (overlapping globs in a pipeline, or {@code x.jsonl ./x.jsonl}): replayed
   * once, said so, and an update leaves it whole.
   */
  @Test
  void aFileGivenTwiceIsReplayedAndUpdatedOnce() throws Exception {
    Path file = write("501-2026-11-24.jsonl", utf8(good), utf8(good));
    Path sameFile = file.getParent().resolve(".").resolve(file.getFileName());
    Cli.Result result = replay(file, "--update", sameFile.toString());
    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertTrue(
        result.err().contains(file + ": the same file as " + sameFile + ", replayed once"),
        result::toString);
    assertTrue(result.out().contains("replay: 2 events, 2 agree, 0 differ"), result::toString);
    assertEquals(2, Files.readAllLines(file).size(), "the update holds the two records, whole");
    Cli.Result again = replay(file);
    assertTrue(again.out().contains("replay: 2 events, 2 agree, 0 differ"), again::toString);
    assertFalse(Files.exists(file.resolveSibling(file.getFileName() + ".replay-update")));
  }

  /**
   * {@code guesthook replay 501-2026-11-24.jsonl}, as the README writes it, from any folder: a bare
   * name is found in the root's recording folder; a name found nowhere says where it was looked
   * for.
   */
  @Test
  void aBareRecordingNameIsFoundInTheRootsRecordingFolder() throws Exception {
    write("501-2026-11-24.jsonl", utf8(good));
    Cli.Result found = replay(Path.of("501-2026-11-24.jsonl"));
    assertEquals(ExitCodes.OK, found.exitCode(), found::toString);
    assertTrue(found.out().contains("replay: 1 events, 1 agree"), found::toString);
    Cli.Result missing = replay(Path.of("501-2026-11-25.jsonl"));
    assertEquals(ExitCodes.USAGE, missing.exitCode(), missing::toString);
    assertTrue(
        missing
            .err()
            .contains(
                "no recording 501-2026-11-25.jsonl (looked for "
                    + Path.of("501-2026-11-25.jsonl").toAbsolutePath()
                    + " and "
                    + recordings.resolve("501-2026-11-25.jsonl")
                    + ")"),
        missing::toString);
  }

  @Test
  void replayOfOnlyBadRecordsExits2() throws Exception {
    Path file = write("501-2026-11-24.jsonl", utf8(withEvent("vmid", "99")), utf8("null"));
    Cli.Result result = replay(file);
    assertEquals(ExitCodes.USAGE, result.exitCode(), result::toString);
    assertTrue(result.err().contains(file + ":1: invalid vmid '99'"), result::toString);
    assertTrue(
        result.out().contains("replay: 0 events, 0 agree, 0 differ, 2 bad records skipped"),
        result::toString);
  }

  /**
   * The good record with settings no hook declares so: sriov-vf's {@code pf} a map instead of an
   * address.
   */
  private String withWrongTypedSetting() throws Exception {
    ObjectNode doc = (ObjectNode) JSON.readTree(good);
    ObjectNode vf = JSON.createObjectNode();
    vf.putObject("pf").putArray("a").add(1);
    ObjectNode sriov = JSON.createObjectNode();
    sriov.putArray("vfs").add(vf);
    ((ObjectNode) doc.get("settings")).set("sriov-vf", sriov);
    return doc.toString();
  }

  @Test
  void replaySkipsARecordWithAWrongTypedSettingAtOnce() throws Exception {
    Path file =
        write("501-2026-11-24.jsonl", utf8(good), utf8(withWrongTypedSetting()), utf8(good));
    // Typed inside the hook's invocation, the setting failed nothing but the phase's reply, minutes
    // later.
    Cli.Result result = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> replay(file));
    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertTrue(
        result
            .err()
            .contains(
                file
                    + ":2: the recorded settings: sriov-vf.vfs[0].pf: expected a PCI address"
                    + " like 0000:01:00.0, found a mapping; skipped"),
        result::toString);
    assertTrue(
        result.out().contains("replay: 2 events, 2 agree, 0 differ, 1 bad record skipped"),
        result::toString);
    assertFalse(result.toString().contains("internal error"), result::toString);
  }

  /** A JSON null where every reader needs a value: the record is skipped, not a crash (exit 3). */
  @Test
  void replaySkipsARecordWithANullOutcomeOrConfigText() throws Exception {
    ObjectNode nullHookOutcome = (ObjectNode) JSON.readTree(good);
    ((ObjectNode) nullHookOutcome.get("hooks").get(0)).putNull("outcome");
    ObjectNode nullConfigText = (ObjectNode) JSON.readTree(good);
    ((ObjectNode) nullConfigText.get("event")).putNull("configText");
    Path file =
        write(
            "501-2026-11-24.jsonl",
            utf8(good),
            utf8(nullHookOutcome.toString()),
            utf8(nullConfigText.toString()),
            utf8(good));

    Cli.Result result = replay(file);

    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertTrue(
        result.err().contains(file + ":2: a hook's outcome is missing; skipped"), result::toString);
    assertTrue(
        result.err().contains(file + ":3: event.configText is missing; skipped"), result::toString);
    assertTrue(
        result.out().contains("replay: 2 events, 2 agree, 0 differ, 2 bad records skipped"),
        result::toString);
  }

  /** events --json shows a record as stored, fields this guesthook does not read included. */
  @Test
  void eventsJsonShowsTheRecordAsStored() throws Exception {
    ObjectNode withSiteField = (ObjectNode) JSON.readTree(good);
    withSiteField.putObject("site").put("ticket", "T-1");
    write("501-2026-11-24.jsonl", utf8(withSiteField.toString()));

    Cli.Result result = Cli.run(List.of("--root", root.toString(), "events", "--json"));

    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertEquals(withSiteField.toString() + "\n", result.out());
  }

  @Test
  void eventsWarnsOfEachBadRecordAndStillShowsTheGoodOnes() throws Exception {
    Path file = mixed();
    Cli.Result result = Cli.run(List.of("--root", root.toString(), "events"));
    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertWarnsOfEachBadLine(file, result);
    assertEquals(
        2,
        result.out().lines().filter(l -> l.contains("VM 501 pre-start (start): ok")).count(),
        result::toString);
    assertTrue(result.err().contains("events: 5 bad records skipped"), result::toString);
  }

  @Test
  void eventsOfOnlyBadRecordsExits2() throws Exception {
    Path file = write("501-2026-11-24.jsonl", notUtf8());
    Cli.Result result = Cli.run(List.of("--root", root.toString(), "events"));
    assertEquals(ExitCodes.USAGE, result.exitCode(), result::toString);
    assertTrue(result.err().contains(file + ":1: not valid UTF-8; skipped"), result::toString);
  }

  /** A line of {@code megabytes} MiB of JSON string, written a MiB at a time. */
  private Path withLongLine(int megabytes) throws Exception {
    Path file = recordings.resolve("501-2026-11-24.jsonl");
    byte[] mebibyte = new byte[1024 * 1024];
    Arrays.fill(mebibyte, (byte) 'x');
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(utf8(good + "\n\""));
      for (int i = 0; i < megabytes; i++) {
        out.write(mebibyte);
      }
      out.write(utf8("\"\n" + good + "\n"));
    }
    return file;
  }

  @Test
  void aLineOverTheBoundIsSkippedInBoundedTimeAndMemory() throws Exception {
    Path file = withLongLine(20);
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<String> warnings = new ArrayList<>();
    List<RecordedEvent> events = new ArrayList<>();
    long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
    long started = System.nanoTime();
    try (RecordingReader reader = new RecordingReader(file, warnings::add)) {
      reader.forEachRemaining(events::add);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
    assertEquals(
        List.of(file + ":2: line longer than 16 MiB (no recorder writes one); skipped"), warnings);
    assertEquals(List.of(1, 3), events.stream().map(RecordedEvent::line).toList());
    // Up to the bound is read into memory before the line is dropped; the 20 MiB line itself never
    // is.
    assertTrue(
        allocated < 24L * 1024 * 1024,
        () -> "allocated " + allocated / (1024 * 1024) + " MiB reading a 20 MiB line");
    assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, () -> "took " + took);
  }

  @Test
  void replaySkipsALineOverTheBound() throws Exception {
    Path file = withLongLine(20);
    Cli.Result result = replay(file);
    assertEquals(ExitCodes.OK, result.exitCode(), result::toString);
    assertTrue(
        result
            .err()
            .contains(file + ":2: line longer than 16 MiB (no recorder writes one); skipped"),
        result::toString);
    assertTrue(
        result.out().contains("replay: 2 events, 2 agree, 0 differ, 1 bad record skipped"),
        result::toString);
  }
}
