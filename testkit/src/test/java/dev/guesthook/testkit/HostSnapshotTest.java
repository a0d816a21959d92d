package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** {@link HostSnapshot}: what changed on a sandbox host, as readable lines. */
class HostSnapshotTest {
  static final String NUMVFS = "/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs";

  @TempDir Path root;

  @BeforeEach
  void sandbox() throws IOException {
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
  }

  @Test
  void everyKindOfChangeIsALine() throws IOException {
    write("/etc/a", "a\n");
    write("/etc/gone", "x");
    HostSnapshot before = HostSnapshot.of(root);
    write("/etc/a", "b\n");
    write("/etc/new", "n");
    Files.delete(file("/etc/gone"));
    Files.setPosixFilePermissions(
        file("/etc/hostname"), PosixFilePermissions.fromString("rwxr-xr-x"));
    write("/var/cache/guesthook/hooks/x.class", "guesthook's own cache");
    write("/var/lib/guesthook/recordings/402-1.jsonl", "guesthook's own recording");

    assertEquals(
        List.of(
            "changed /etc/a: \"a\\n\" -> \"b\\n\"",
            "mode /etc/hostname: rw-r--r-- -> rwxr-xr-x",
            "added /etc/new: \"n\"",
            "removed /etc/gone"),
        sorted(before.changesTo(HostSnapshot.of(root))));
  }

  @Test
  void unchangedSinceFailsListingTheChangesButNotTheJournalsFolder() throws IOException {
    HostSnapshot before = HostSnapshot.of(root);
    HostAssert.assertThat(root).unchangedSince(before);
    write("/var/lib/guesthook/journal/402.jsonl", "{}\n");
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class, () -> HostAssert.assertThat(root).unchangedSince(before));
    assertEquals(
        "the host changed since the snapshot:\nadded /var/lib/guesthook/journal/402.jsonl: \"{}\\n\"",
        failed.getMessage());
  }

  @Test
  void onlyAcceptsChangesUnderTheGlobsFollowingADevicesLink() throws IOException {
    HostSnapshot before = HostSnapshot.of(root);
    Files.writeString(file(NUMVFS), "4\n");
    HostAssert.assertThat(root).changedSince(before).only("/sys/bus/pci/devices/0000:03:00.0/**");

    write("/etc/stray", "x");
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () ->
                HostAssert.assertThat(root)
                    .changedSince(before)
                    .only("/sys/bus/pci/devices/0000:03:00.0/**"));
    assertEquals(
        "the host changed outside [/sys/bus/pci/devices/0000:03:00.0/**]:\nadded /etc/stray: \"x\"",
        failed.getMessage());
  }

  @Test
  void aRunawayTreeEndsWithAnError() throws IOException {
    Path big = root.resolve("var/tmp/big");
    Files.createDirectories(big);
    try (var out = Files.newOutputStream(big.resolve("blob"))) {
      byte[] mib = new byte[1024 * 1024];
      for (int i = 0; i < 65; i++) {
        out.write(mib);
      }
    }
    IllegalStateException runaway =
        assertThrows(IllegalStateException.class, () -> HostSnapshot.of(root));
    assertTrue(
        runaway.getMessage().endsWith("holds more than 64 MiB: not a sandbox?"),
        runaway.getMessage());
  }

  private static List<String> sorted(List<String> lines) {
    return lines.stream()
        .sorted(
            (a, b) ->
                Integer.compare(order(a), order(b)) != 0
                    ? Integer.compare(order(a), order(b))
                    : a.compareTo(b))
        .toList();
  }

  @Test
  void aSysfsAttributeReadsBackWithItsNewlineSoOneTrailingNewlineIsNoChange() throws IOException {
    String governor = "/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor";
    write(governor, "powersave\n");
    write("/etc/motd", "hello\n");
    HostSnapshot before = HostSnapshot.of(root);
    write(governor, "powersave");
    HostAssert.assertThat(root).unchangedSince(before);
    write("/etc/motd", "hello");
    assertEquals(
        List.of("changed /etc/motd: \"hello\\n\" -> \"hello\""),
        before.changesTo(HostSnapshot.of(root)));
  }

  private static int order(String line) {
    return List.of("changed", "mode", "added", "removed").indexOf(line.split(" ")[0]);
  }

  private void write(String hostPath, String content) throws IOException {
    Files.createDirectories(file(hostPath).getParent());
    Files.writeString(file(hostPath), content);
  }

  private Path file(String hostPath) {
    return root.resolve(hostPath.substring(1));
  }
}
