package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * {@link HostAssert#file}: any file of the sandbox by its host path, failures saying what is there.
 */
class HostAssertFileTest {
  static final String GOVERNOR = "/sys/devices/system/cpu/cpu2/cpufreq/scaling_governor";

  @TempDir Path root;

  @BeforeEach
  void sandbox() throws IOException {
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    Path governor = root.resolve(GOVERNOR.substring(1));
    Files.createDirectories(governor.getParent());
    Files.writeString(governor, "powersave\n");
  }

  @Test
  void aFileReadsAsSysfsDoesWithItsTrailingNewlineIgnored() {
    HostAssert.assertThat(root)
        .file(GOVERNOR)
        .exists()
        .hasContent("powersave")
        .contains("power")
        .and()
        .file("/sys/devices/system/cpu/cpu9/online")
        .doesNotExist();
  }

  @Test
  void aDifferentContentFailsWithBothForADiff() {
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> HostAssert.assertThat(root).file(GOVERNOR).hasContent("performance"));
    assertEquals(GOVERNOR + " holds \"powersave\", expected \"performance\"", failed.getMessage());
    assertEquals("performance", failed.getExpected().getValue());
    assertEquals("powersave", failed.getActual().getValue());
  }

  @Test
  void aMissingFileSaysWhatItsFolderHolds() {
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () ->
                HostAssert.assertThat(root)
                    .file("/sys/devices/system/cpu/cpu2/cpufreq/scaling_max_freq")
                    .hasContent("1"));
    assertEquals(
        "no /sys/devices/system/cpu/cpu2/cpufreq/scaling_max_freq;"
            + " /sys/devices/system/cpu/cpu2/cpufreq/ holds [scaling_governor]",
        failed.getMessage());
  }

  @Test
  void aFileThatShouldBeGoneSaysWhatItHolds() {
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () -> HostAssert.assertThat(root).file(GOVERNOR).doesNotExist());
    assertEquals(GOVERNOR + " exists: a file holding \"powersave\"", failed.getMessage());
  }

  @Test
  void aLinkIsCheckedByWhereItLeads() {
    HostAssert.assertThat(root)
        .file("/sys/bus/pci/devices/0000:03:00.0/driver")
        .isLinkTo("/sys/bus/pci/drivers/i40e");
    AssertionFailedError failed =
        assertThrows(
            AssertionFailedError.class,
            () ->
                HostAssert.assertThat(root)
                    .file("/sys/bus/pci/devices/0000:03:00.0/driver")
                    .isLinkTo("/sys/bus/pci/drivers/vfio-pci"));
    assertEquals("/sys/bus/pci/drivers/i40e", failed.getActual().getValue());
  }

  @Test
  void aRelativePathOrOneWithDotDotIsRefused() {
    IllegalArgumentException relative =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostAssert.assertThat(root).file("sys/devices/system/cpu/online"));
    assertEquals(
        "'sys/devices/system/cpu/online': give the host path as a hook writes it, absolute (/sys/...)",
        relative.getMessage());
    IllegalArgumentException up =
        assertThrows(
            IllegalArgumentException.class,
            () -> HostAssert.assertThat(root).file("/sys/../../etc/passwd"));
    assertEquals(
        "'/sys/../../etc/passwd': a host path without . or .. (it could leave the sandbox)",
        up.getMessage());
  }
}
