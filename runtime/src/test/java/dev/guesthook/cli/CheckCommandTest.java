package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code guesthook check [VMID]} on the mixed sandbox, with the ways a node is not ready. The ready
 * node itself, printed whole, is {@link CheckGoldenTest}.
 */
class CheckCommandTest {
  @TempDir Path base;
  Path root;

  @BeforeEach
  void mixedHost() throws Exception {
    root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.MIXED);
  }

  private Cli.Result check(String... args) {
    List<String> all =
        new ArrayList<>(List.of("--root", root.toString(), "--simulate", "--json", "check"));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  /** The detail of the first item with that status, or fails the test. */
  private static String first(Cli.Result result, String status) {
    for (JsonNode item : result.json().get("items")) {
      if (item.get("status").asText().equals(status)) {
        return item.get("detail").asText();
      }
    }
    throw new AssertionError("no " + status + " in " + result);
  }

  private void write(String relative, String content) throws Exception {
    Files.writeString(root.resolve(relative), content);
  }

  /**
   * check runs a hook's check block with the port a pre-start's hooks get: a block reading
   * guesthook's own lock file passed check while the pre-start refuses it (adversary pass).
   */
  @Test
  void aCheckBlockOpeningGuesthooksOwnLockFailsAsThePreStartWould() throws Exception {
    Path locks = Files.createDirectories(root.resolve("run/guesthook/locks"));
    Files.setPosixFilePermissions(locks, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(locks.resolve("vm-201.lock"), "\n");
    Path hooks = Files.createDirectories(root.resolve("etc/guesthook/hooks.d/201"));
    Path hook = hooks.resolve("peek.groovy");
    Files.writeString(
        hook,
        "hook('peek') {\n  on('pre-start') { ev -> }\n"
            + "  check { ev -> read('/run/guesthook/locks/vm-201.lock'); pass 'read it' }\n}\n");
    Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rw-r--r--"));

    Cli.Result result = check("201");

    JsonNode peek = null;
    for (JsonNode item : result.json().get("items")) {
      if (item.toString().contains("peek") && item.get("status").asText().equals("fail")) {
        peek = item;
      }
    }
    assertTrue(peek != null && peek.toString().contains("not a hook's to open"), result::toString);
  }

  /**
   * Outsider pass: a VF the host's iavf holds was said to be moved by the gpu-release hook, which
   * skips VFs; the sriov-vf hook binds it.
   */
  @Test
  void aVfTheHostHoldsNamesTheHookThatBindsIt() throws Exception {
    root = base.resolve("nic");
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    for (String phase : List.of("pre-start", "post-stop")) { // the VF stays, given back to iavf
      Cli.Result run = Cli.run(List.of("--root", root.toString(), "--simulate", "501", phase));
      assertEquals(0, run.exitCode(), run::toString);
    }
    Cli.Result result = check("501");

    assertTrue(
        first(result, "warn")
            .endsWith(
                " is used by iavf on the host; Proxmox (or the sriov-vf hook) moves it to vfio-pci"
                    + " at start"),
        result::toString);
  }

  @Test
  void noIommuGroupsFailsWithTheFix() throws Exception {
    try (var groups = Files.list(root.resolve("sys/kernel/iommu_groups"))) {
      for (Path group : groups.toList()) {
        try (var walk = Files.walk(group)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
    write("proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz root=/dev/mapper/pve-root ro quiet\n");
    Cli.Result result = check();
    assertEquals(1, result.exitCode(), result::toString);
    assertEquals(
        "no IOMMU groups in /sys/kernel/iommu_groups: enable VT-d/AMD-Vi in the firmware and add"
            + " intel_iommu=on (Intel) to the kernel command line",
        first(result, "fail"));
  }

  @Test
  void missingVfioModulesFailForPassthroughButOnlyWarnForMdev() throws Exception {
    write("proc/modules", "");
    Files.delete(root.resolve("sys/module/vfio_pci"));
    assertEquals(
        "not loaded: vfio, vfio_iommu_type1, vfio_pci (add them to /etc/modules and run update-initramfs -u -k all)",
        first(check("601"), "fail"));
    Cli.Result mdevOnly = check("201");
    assertEquals(0, mdevOnly.exitCode(), mdevOnly::toString);
    assertTrue(first(mdevOnly, "warn").endsWith("; mediated devices do not need them"));
  }

  @Test
  void aDeviceSharingItsIommuGroupFails() throws Exception {
    Path group =
        Files.readSymbolicLink(root.resolve("sys/devices/pci0000:00/0000:0b:00.0/iommu_group"));
    Path groupDir = root.resolve("sys/devices/pci0000:00/0000:0b:00.0").resolve(group).normalize();
    Files.createSymbolicLink(
        groupDir.resolve("devices/0000:03:00.0"),
        Path.of("../../../../devices/pci0000:00/0000:03:00.0"));
    Cli.Result result = check("601");
    assertEquals(1, result.exitCode(), result::toString);
    assertEquals(
        "0000:0b:00.0 shares IOMMU group "
            + groupDir.getFileName()
            + " with 0000:03:00.0 8086:1572: try another slot",
        first(result, "fail"));
  }

  @Test
  void anExhaustedMdevTypeFailsOnceInQemuServersWords() throws Exception {
    write(
        "sys/devices/pci0000:00/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/available_instances",
        "0\n");
    Cli.Result result = check("201");
    assertEquals(1, result.exitCode(), result::toString);
    List<String> fails = new ArrayList<>();
    result
        .json()
        .get("items")
        .forEach(
            item -> {
              if (item.get("status").asText().equals("fail")) {
                fails.add(item.get("detail").asText());
              }
            });
    assertEquals(
        List.of(
            "Proxmox refuses the start: pci device '0000:00:02.0' has no available instances of 'i915-GVTg_V5_4'"),
        fails);
  }

  @Test
  void aMappingThatNoLongerMatchesFails() throws Exception {
    write("sys/devices/pci0000:00/0000:0b:00.0/device", "0x73ff\n");
    Cli.Result result = check("602");
    assertEquals(1, result.exitCode(), result::toString);
    assertTrue(
        first(result, "fail")
            .startsWith(
                "PCI device mapping invalid (hardware probably changed): 'id' does not"
                    + " match for 'rx6800' (1002:73ff != 1002:73bf) on device '0000:0b:00.0'"),
        result::toString);
  }

  @Test
  void anXvgaGpuOutsideQ35OrOvmfIsAdvised() throws Exception {
    Path conf = root.resolve("etc/pve/qemu-server/601.conf");
    // pcie=1 goes too: without q35, Proxmox refuses it (pcieNeedsQ35AsProxmoxSays)
    Files.writeString(
        conf,
        Files.readString(conf)
            .replace("bios: ovmf\n", "")
            .replace("machine: q35\n", "")
            .replace(",pcie=1", ""));
    Cli.Result result = check("601");
    assertEquals(0, result.exitCode(), result::toString);
    assertTrue(
        result
            .out()
            .contains(
                "x-vga GPU: use machine q35 and bios ovmf (UEFI) for the best compatibility;"
                    + " machine is not q35; bios is not ovmf"),
        result::toString);
  }

  /** The lines saying Proxmox would refuse the start (qemu-server's parse_hostpci_devices). */
  private static List<String> startRefusals(Cli.Result result) {
    List<String> out = new ArrayList<>();
    result
        .json()
        .get("items")
        .forEach(
            item -> {
              if (item.get("detail").asText().startsWith("Proxmox refuses the start: ")) {
                out.add(
                    item.get("status").asText()
                        + " "
                        + item.get("subject").asText()
                        + ": "
                        + item.get("detail").asText());
              }
            });
    return out;
  }

  private void editConfig(int vmid, String from, String to) throws Exception {
    Path conf = root.resolve("etc/pve/qemu-server/" + vmid + ".conf");
    String text = Files.readString(conf);
    assertTrue(text.contains(from), text);
    Files.writeString(conf, text.replace(from, to));
  }

  /**
   * Outsider finding: a CRLF-saved pci.cfg gave only "mapping not found". Proxmox warns about each
   * line it ignores (a lone \r does not end a section); check now shows those warnings, with what
   * CRLF does.
   */
  @Test
  void linesProxmoxIgnoresInPciCfgAreWarnings() throws Exception {
    Path cfg = root.resolve("etc/pve/mapping/pci.cfg");
    Files.writeString(cfg, Files.readString(cfg).replace("\n", "\r\n") + "stray line\n");
    Cli.Result result = check("602");
    List<String> warnings = new ArrayList<>();
    result
        .json()
        .get("items")
        .forEach(
            item -> {
              if (item.get("subject").asText().equals("pci.cfg")) {
                warnings.add(item.get("status").asText() + " " + item.get("detail").asText());
              }
            });
    assertTrue(
        warnings.stream()
            .anyMatch(
                w ->
                    w.startsWith("warn /etc/pve/mapping/pci.cfg:")
                        && w.contains(
                            ": ignore config line: \\x0d (the file has Windows line endings")),
        warnings::toString);
    assertTrue(
        warnings.stream().anyMatch(w -> w.endsWith(": ignore config line: stray line")),
        warnings::toString);
  }

  /**
   * Outsider finding: check was all green for a hostpci line Proxmox skips, so the guest would
   * start without its GPU.
   */
  @Test
  void aHostpciLineProxmoxSkipsFailsTheCheckNamingFileAndLine() throws Exception {
    editConfig(601, "hostpci0: 0000:0b:00,pcie=1,x-vga=1", "hostpci0: 0000:0B:00,pcie=1,x-vga=1");
    Cli.Result result = check("601");
    assertEquals(1, result.exitCode(), result::toString);
    String detail = first(result, "fail");
    assertTrue(detail.startsWith("/etc/pve/qemu-server/601.conf:10: "), detail);
    assertTrue(
        detail.contains(
            "unable to parse value of 'hostpci0' - format error\nhost: value does not match the regex pattern"
                + " (Proxmox starts the VM without this device; fix the line)"),
        detail);
  }

  @Test
  void anMdevOnAWholeMultifunctionSlotIsRefusedAsProxmoxDoes() throws Exception {
    assertEquals(List.of(), startRefusals(check("201")), "an mdev on one function");
    editConfig(
        601, "hostpci0: 0000:0b:00,pcie=1,x-vga=1", "hostpci0: 0000:0b:00,pcie=1,mdev=some-type");
    Cli.Result result = check("601");
    assertEquals(1, result.exitCode(), result::toString);
    assertEquals(
        List.of(
            "fail hostpci0: Proxmox refuses the start: cannot use mediated device with multifunction device"),
        startRefusals(result));
  }

  @Test
  void pcieNeedsQ35AsProxmoxSays() throws Exception {
    assertEquals(List.of(), startRefusals(check("601")), "pcie=1 on q35");
    editConfig(601, "machine: q35\n", "");
    Cli.Result result = check("601");
    assertEquals(1, result.exitCode(), result::toString);
    assertEquals(
        List.of(
            "fail hostpci0: Proxmox refuses the start: q35 machine model is not enabled"
                + " at /usr/share/perl5/PVE/QemuServer/PCI.pm line 510."),
        startRefusals(result));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "machine: pc|vga: none|0000:00:02.0,legacy-igd=1|",
        "machine: pc|vga: std|0000:00:02.0,legacy-igd=1|legacy IGD assignment requires VGA mode to be 'none'",
        "machine: pc|vga: none|0000:00:02.0,legacy-igd=1,rombar=0|legacy IGD assignment requires rombar to be enabled",
        "machine: pc|vga: none|0000:00:02.0,legacy-igd=1,x-vga=1|legacy IGD assignment is not compatible with x-vga",
        "machine: pc|vga: none|0000:00:02.0,legacy-igd=1,mdev=i915-GVTg_V5_4|legacy IGD assignment is not compatible with mdev",
        "machine: q35|vga: none|0000:00:02.0,legacy-igd=1|legacy IGD assignment is not compatible with q35",
        "machine: pc|vga: none|0000:0b:00.0,legacy-igd=1|legacy IGD assignment only works for devices on host bus 00:02.0",
        "machine: pc|vga: none|0000:0b:00,legacy-igd=1|legacy IGD assignment is not compatible with multifunction devices"
      })
  void legacyIgdHasQemuServersRequirements(
      String machine, String vga, String hostpci, String refusal) throws Exception {
    editConfig(201, "machine: q35\n", machine + "\n" + vga + "\n");
    editConfig(201, "hostpci0: 0000:00:02.0,mdev=i915-GVTg_V5_4", "hostpci0: " + hostpci);
    List<String> expected =
        refusal == null
            ? List.of()
            : List.of("fail hostpci0: Proxmox refuses the start: " + refusal);
    assertEquals(expected, startRefusals(check("201")));
  }

  @Test
  void aSecondLegacyIgdDeviceIsRefused() throws Exception {
    editConfig(201, "machine: q35\n", "vga: none\n");
    editConfig(
        201,
        "hostpci0: 0000:00:02.0,mdev=i915-GVTg_V5_4",
        "hostpci0: 0000:00:02.0,legacy-igd=1\n" + "hostpci1: 0000:00:02.0,legacy-igd=1");
    assertEquals(
        List.of(
            "fail hostpci1: Proxmox refuses the start: only one device can be assigned in legacy-igd mode"),
        startRefusals(check("201")));
  }

  /**
   * hostpci0 of VM 201 (GVT-g on 0000:00:02.0) replaced by the given lines; the start refusals of
   * check 201.
   */
  private List<String> refusalsWith201Hostpci(String lines) throws Exception {
    editConfig(201, "hostpci0: 0000:00:02.0,mdev=i915-GVTg_V5_4", lines);
    Map<String, String> before = HostTree.snapshotOf(root);
    List<String> refusals = startRefusals(check("201"));
    assertEquals(before, HostTree.snapshotOf(root), "check changes nothing");
    return refusals;
  }

  private static List<String> refused(String subject, String why) {
    return List.of("fail " + subject + ": Proxmox refuses the start: " + why);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0000:0b:00.0|",
        "0000:0c:00.0|no PCI device found for '0000:0c:00.0'",
        "0000:0b:00|",
        "0000:0c:00|no PCI device found for '0000:0c:00'"
      })
  void aHostIdWithoutADeviceIsRefusedAsLspciFindsNone(String id, String refusal) throws Exception {
    assertEquals(
        refusal == null ? List.of() : refused("hostpci0", refusal),
        refusalsWith201Hostpci("hostpci0: " + id));
  }

  @Test
  void aDeviceAssignedTwiceIsRefusedByChooseHostpciDevices() throws Exception {
    assertEquals(
        List.of(), refusalsWith201Hostpci("hostpci0: 0000:0b:00.0\nhostpci1: 0000:0b:00.1"));
    editConfig(201, "hostpci1: 0000:0b:00.1", "hostpci1: 0000:0b:00.0");
    assertEquals(
        refused("hostpci1", "device '0000:0b:00.0' assigned more than once"),
        startRefusals(check("201")));
  }

  private void twoWayMapping(String first, String second) throws Exception {
    Files.writeString(
        root.resolve("etc/pve/mapping/pci.cfg"),
        "either\n"
            + "\tmap node=pve-sandbox,path="
            + first
            + ",id=8086:3e92\n"
            + "\tmap node=pve-sandbox,path="
            + second
            + ",id=8086:3e92\n");
  }

  @Test
  void aMappingWhoseAlternativesAreAllTakenHasNoFreeDevice() throws Exception {
    twoWayMapping("0000:0b:00.0", "0000:0b:00.1");
    assertEquals(
        List.of(), refusalsWith201Hostpci("hostpci0: 0000:0b:00.0\nhostpci2: mapping=either"));
    editConfig(201, "hostpci0: 0000:0b:00.0", "hostpci0: 0000:0b:00.0\nhostpci1: 0000:0b:00.1");
    assertEquals(
        refused("hostpci2", "could not find a free device for 'hostpci2'"),
        startRefusals(check("201")));
  }

  @Test
  void legacyIgdRefusesAMappingWithAlternateDevices() throws Exception {
    editConfig(201, "machine: q35\n", "machine: pc\nvga: none\n");
    twoWayMapping("0000:00:02.0", "0000:00:02.0");
    Files.writeString(
        root.resolve("etc/pve/mapping/pci.cfg"),
        "igd\n\tmap node=pve-sandbox,path=0000:00:02.0,id=8086:3e92\n",
        StandardOpenOption.APPEND);
    assertEquals(List.of(), refusalsWith201Hostpci("hostpci0: mapping=igd,legacy-igd=1"));
    editConfig(201, "mapping=igd", "mapping=either");
    assertEquals(
        refused("hostpci0", "legacy IGD assignment is not compatible with alternate devices"),
        startRefusals(check("201")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0000:41:00.4,mdev=nvidia-1157|",
        "0000:41:00.4,mdev=nvidia-9999|vgpu type '9999' not available for '0000:41:00.4'",
        "0000:00:02.0,mdev=i915-GVTg_V5_8|",
        "0000:00:02.0,mdev=i915-GVTg_V5_9|pci device '0000:00:02.0' has no type 'i915-GVTg_V5_9'",
        "0000:0b:00.0,mdev=i915-GVTg_V5_4|pci device '0000:0b:00.0' does not support mediated devices"
      })
  void anMdevIsRefusedAsCreateNvidiaDeviceOrPciCreateMdevDeviceRefusesIt(
      String hostpci, String refusal) throws Exception {
    assertEquals(
        refusal == null ? List.of() : refused("hostpci0", refusal),
        refusalsWith201Hostpci("hostpci0: " + hostpci));
  }

  @Test
  void anExhaustedMdevTypeIsRefusedInQemuServersWords() throws Exception {
    Files.writeString(
        root.resolve(
            "sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8/available_instances"),
        "0\n");
    assertEquals(List.of(), refusalsWith201Hostpci("hostpci0: 0000:00:02.0,mdev=i915-GVTg_V5_4"));
    editConfig(201, "V5_4", "V5_8");
    assertEquals(
        refused(
            "hostpci0", "pci device '0000:00:02.0' has no available instances of 'i915-GVTg_V5_8'"),
        startRefusals(check("201")));
  }

  @Test
  void aTypeWithoutCountOrDescriptionIsListedWithNoneFreeAsQemuServerReadsIt() throws Exception {
    Path type =
        root.resolve("sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_8");
    Files.delete(type.resolve("available_instances"));
    Files.delete(type.resolve("description"));
    Cli.Result result = check("201");
    assertEquals(0, result.exitCode(), result::toString);
    assertEquals(List.of(), startRefusals(result), "the parent's other type is still usable");
    editConfig(201, "V5_4", "V5_8");
    assertEquals(
        refused(
            "hostpci0", "pci device '0000:00:02.0' has no available instances of 'i915-GVTg_V5_8'"),
        startRefusals(check("201")));
  }

  @Test
  void aBadVmidIsAUsageErrorAndNothingChanges() {
    Map<String, String> before = HostTree.snapshotOf(root);
    Cli.Result result = check("0101");
    assertEquals(ExitCodes.USAGE, result.exitCode());
    assertEquals(
        "guesthook: error: invalid vmid '0101': expected an integer from 100 to 999999999\n",
        result.err());
    assertEquals(before, HostTree.snapshotOf(root));
  }
}
