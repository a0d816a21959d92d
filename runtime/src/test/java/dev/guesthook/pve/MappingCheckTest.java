package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guesthook check 602} on the gpu-passthrough sandbox, whose VM 602 gets the Radeon through
 * the rx6800 mapping: pve-guest-common's {@code assert_valid} and qemu-server's {@code
 * parse_hostpci}, in their words. The mapping is written {@code map
 * node=pve-sandbox,path=0000:0b:00,id=1002:73bf, subsystem-id=1da2:e438,iommugroup=0}.
 */
class MappingCheckTest {
  static final String RADEON = "sys/devices/pci0000:00/0000:0b:00.0/";
  static final String INVALID = "PCI device mapping invalid (hardware probably changed): ";

  @TempDir Path base;
  Path root;

  @BeforeEach
  void radeonBehindAMapping() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.GPU_PASSTHROUGH);
  }

  private void editMapping(String from, String to) throws Exception {
    Path cfg = root.resolve("etc/pve/mapping/pci.cfg");
    String text = Files.readString(cfg);
    assertEquals(true, text.contains(from), text);
    Files.writeString(cfg, text.replace(from, to));
  }

  /** The detail of VM 602's hostpci0 line, after checking the exit code goes with its status. */
  private String hostpci0(String status) {
    Cli.Result result =
        Cli.run(List.of("--root", root.toString(), "--simulate", "--json", "check", "602"));
    for (JsonNode item : result.json().get("items")) {
      if (item.get("subject").asText().equals("hostpci0")
          && item.get("detail").asText().contains("apping")) {
        assertEquals(status, item.get("status").asText(), result::toString);
        assertEquals(
            status.equals("fail") ? ExitCodes.HOOK_FAILED : ExitCodes.OK,
            result.exitCode(),
            result::toString);
        return item.get("detail").asText();
      }
    }
    throw new AssertionError("no hostpci0 mapping item in " + result);
  }

  @Test
  void theMappingAsWrittenMatches() {
    assertEquals("mapping 'rx6800' matches the hardware", hostpci0("pass"));
  }

  /**
   * sysfs shows lower-case hex and assert_valid compares with {@code ne}: Proxmox refuses
   * 1002:73BF, and so does guesthook.
   */
  @Test
  void upperCaseIdsDoNotMatchAsInProxmox() throws Exception {
    editMapping("id=1002:73bf", "id=1002:73BF");
    assertEquals(
        INVALID
            + "'id' does not match for 'rx6800' (1002:73bf != 1002:73BF) on device '0000:0b:00.0'"
            + " (if it is the right card, set id=1002:73bf in the mapping's map line)",
        hostpci0("fail"));
  }

  @Test
  void aSubsystemIdTheDeviceDoesNotHaveIsUnexpected() throws Exception {
    Files.delete(root.resolve(RADEON + "subsystem_vendor"));
    assertEquals(
        INVALID
            + "unexpected property 'subsystem-id' configured for device '0000:0b:00.0' (the mapping says"
            + " 1da2:e438, the device has none)",
        hostpci0("fail"));
  }

  @Test
  void aSubsystemIdTheMappingLeavesOutIsMissing() throws Exception {
    editMapping(",subsystem-id=1da2:e438", "");
    assertEquals(
        INVALID
            + "missing expected property 'subsystem-id' for device '0000:0b:00.0' (the device has"
            + " 1da2:e438, the mapping names none)",
        hostpci0("fail"));
  }

  /**
   * The group is compared as the string {@code int()} makes of the link's number: {@code 00} is not
   * {@code 0}.
   */
  @Test
  void theIommuGroupIsComparedAsWritten() throws Exception {
    editMapping("iommugroup=0", "iommugroup=00");
    assertEquals(
        INVALID
            + "'iommugroup' does not match for 'rx6800' (0 != 00) on device '0000:0b:00.0'"
            + " (if it is the right card, set iommugroup=0 in the mapping's map line)",
        hostpci0("fail"));
  }

  @Test
  void anMdevMappingOnACardWithoutMdevDoesNotMatch() throws Exception {
    editMapping("\tdescription", "\tmdev 1\n\tdescription");
    assertEquals(
        INVALID
            + "'mdev' does not match for 'rx6800' (0 != 1) on device '0000:0b:00.0'"
            + " (if it is the right card, set mdev=0 in the mapping's map line)",
        hostpci0("fail"));
  }

  /** pci_device_info returns undef for a vendor file without 0x: "not found", as in Proxmox. */
  @Test
  void aDevicePciDeviceInfoCannotReadIsNotFound() throws Exception {
    Files.writeString(root.resolve(RADEON + "irq"), "none\n");
    assertEquals(INVALID + "pci device '0000:0b:00.0' not found", hostpci0("fail"));
  }

  @Test
  void noEntryForThisNodeIsMappingNotFound() throws Exception {
    editMapping("node=pve-sandbox", "node=pve2");
    assertEquals(
        "PCI device mapping not found for 'rx6800' (mapping 'rx6800' has no entry for node pve-sandbox)",
        hostpci0("fail"));
  }

  @Test
  void anUnknownMappingIsMappingNotFound() throws Exception {
    Files.writeString(
        root.resolve("etc/pve/qemu-server/602.conf"),
        "hostpci0: mapping=rx9000,pcie=1\nmemory: 2048\n");
    assertEquals(
        "PCI device mapping not found for 'rx9000' (no mapping 'rx9000' in /etc/pve/mapping/pci.cfg; it has rx6800)",
        hostpci0("fail"));
  }
}
