package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The example recordings (examples/recordings, made by make.sh from the demo) replayed through
 * today's stock and example hooks: a hook change that alters what they do on a host fails this
 * test, with the interaction that differs. After an intended change, run make.sh again.
 */
class ExampleRecordingsTest {
  static final Path HOME = Path.of("..").toAbsolutePath().normalize();

  @org.junit.jupiter.api.io.TempDir Path root;

  @Test
  void everyExampleLifecycleReplaysInAgreement() throws Exception {
    // A replay needs no host; the empty root keeps the compiled hooks' cache out of this machine's
    // /var.
    Files.setPosixFilePermissions(
        root, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    List<String> args =
        new ArrayList<>(
            List.of(
                "--root",
                root.toString(),
                "--hooks",
                HOME.resolve("hooks/stock").toString(),
                "--hooks",
                HOME.resolve("examples/hooks").toString(),
                "replay"));
    List<String> names = new ArrayList<>();
    try (Stream<Path> files = Files.list(HOME.resolve("examples/recordings"))) {
      files
          .filter(f -> f.toString().endsWith(".jsonl"))
          .sorted()
          .forEach(
              f -> {
                args.add(f.toString());
                names.add(f.getFileName().toString());
              });
    }
    assertEquals(
        List.of(
            "failed-pre-start-rolled-back.jsonl",
            "gpu-release-to-host.jsonl",
            "gvt-g-mdev.jsonl",
            "hibernate-and-resume.jsonl",
            "nvidia-vgpu-mdev.jsonl",
            "nvidia-vgpu-vf.jsonl",
            "sriov-vf-mac-vlan.jsonl"),
        names);
    Cli.Result result = Cli.run(args);
    assertEquals(0, result.exitCode(), result::toString);
    assertTrue(
        result.out().matches("(?s).*replay: (\\d+) events, \\1 agree, 0 differ\\n"),
        result::toString);
  }

  /** The same check for one recording, written with the test kit's annotation. */
  @dev.guesthook.testkit.ReplayTest(
      value = "recordings/sriov-vf-mac-vlan.jsonl",
      hooks = {"../hooks/stock", "hooks"})
  void theSriovLifecycleReplaysInAgreement(dev.guesthook.record.Replayer.Summary summary) {
    assertEquals(4, summary.events(), "pre-start, post-start, pre-stop, post-stop");
  }
}
