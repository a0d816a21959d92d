package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * What an adversary tried on the kit: a root that is a link, names that leave the sandbox, files
 * that are not files. None may pass silently, read outside the sandbox, hang or run out of memory.
 */
class HostAssertSafetyTest {
  static final String PF = "0000:03:00.0";

  @TempDir Path root;
  @TempDir Path elsewhere;

  @BeforeEach
  void sandbox() throws IOException {
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
  }

  @Test
  void aRootGivenAsALinkIsTheSandboxItLeadsTo() throws IOException {
    Path link = Files.createSymbolicLink(elsewhere.resolve("link"), root);
    HostSnapshot before = HostSnapshot.of(link);
    assertTrue(before.size() > 1, "the snapshot holds the sandbox, not the link");
    Files.writeString(root.resolve("etc/hostname"), "changed\n");
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class, () -> HostAssert.assertThat(link).unchangedSince(before));
    assertTrue(failed.getMessage().contains("changed /etc/hostname"), failed.getMessage());
  }

  @Test
  void aDeviceIsNamedByItsPciAddress() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class, () -> HostAssert.assertThat(root).device("../../.."));
    assertTrue(refused.getMessage().contains("PCI address"), refused.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> HostAssert.assertThat(root).numVfs("../..", 0));
    assertThrows(IllegalArgumentException.class, () -> HostAssert.assertThat(root).vf("x/.."));
    assertThrows(
        IllegalArgumentException.class, () -> HostAssert.assertThat(root).hasMdev("../../x"));
    assertThrows(
        IllegalArgumentException.class, () -> HostAssert.assertThat(root).hasNoMdev("../../x"));
  }

  @Test
  void anAttributeIsAPathInTheDevicesFolder() {
    HostAssert.DeviceAssert device = HostAssert.assertThat(root).device(PF);
    for (String outside : new String[] {"/etc/hostname", "../../../../etc/hostname", "", "."}) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> device.hasAttribute(outside, "x"));
      assertTrue(refused.getMessage().contains("'" + outside + "'"), refused.getMessage());
    }
  }

  @Test
  void anAttributeLinkedOutOfTheSandboxIsNotRead() throws IOException {
    Path secret = Files.writeString(elsewhere.resolve("secret"), "the host's secret");
    Path device = root.resolve("sys/bus/pci/devices/" + PF).toRealPath();
    Files.createSymbolicLink(device.resolve("leak"), secret);
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> HostAssert.assertThat(root).device(PF).hasAttribute("leak", "x"));
    assertTrue(failed.getMessage().contains("out of the sandbox"), failed.getMessage());
    assertTrue(!failed.getMessage().contains("secret\""), failed.getMessage());
  }

  @Test
  void anMdevLinkedOutOfTheSandboxIsNotFollowed() throws IOException {
    String uuid = "00000001-0000-0000-0000-000000000402";
    Path mdevs = Files.createDirectories(root.resolve("sys/bus/mdev/devices"));
    Path outside = Files.createDirectories(elsewhere.resolve("0000:99:00.0/" + uuid));
    Files.createSymbolicLink(mdevs.resolve(uuid), outside);
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> HostAssert.assertThat(root).hasMdev(uuid).onParent("0000:99:00.0"));
    assertEquals("mdev " + uuid + " leads out of the sandbox", failed.getMessage());
  }

  @Test
  void aFifoIsNeitherOpenedNorWaitedOn() throws Exception {
    assertEquals(
        0, new ProcessBuilder("mkfifo", root.resolve("etc/fifo").toString()).start().waitFor());
    HostAssert host = HostAssert.assertThat(root);
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          host.file("/etc/fifo").exists();
          AssertionFailedError notAFile =
              assertThrows(
                  AssertionFailedError.class, () -> host.file("/etc/fifo").hasContent("x"));
          assertEquals("/etc/fifo is a FIFO, not a regular file", notAFile.getMessage());
          AssertionFailedError there =
              assertThrows(AssertionFailedError.class, () -> host.file("/etc/fifo").doesNotExist());
          assertEquals("/etc/fifo exists: a FIFO", there.getMessage());
        });
  }

  @Test
  void aDeviceNodeIsNotRead() throws Exception {
    Path zero = root.resolve("etc/zero");
    assertEquals(0, new ProcessBuilder("mknod", zero.toString(), "c", "1", "5").start().waitFor());
    AssertionFailedError failed =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () ->
                assertThrows(
                    AssertionFailedError.class,
                    () -> HostAssert.assertThat(root).file("/etc/zero").contains("x")));
    assertEquals("/etc/zero is a character device, not a regular file", failed.getMessage());
  }

  @Test
  void aHugeFileIsNotReadWhole() throws IOException {
    try (var out = Files.newOutputStream(root.resolve("etc/huge"))) {
      out.write(new byte[HostPaths.MAX_BYTES + 1]);
    }
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> HostAssert.assertThat(root).file("/etc/huge").hasContent("x"));
    assertEquals("/etc/huge holds more than 16 MiB: not a file to compare", failed.getMessage());
  }
}
