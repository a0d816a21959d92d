package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The cases upstream's test data does not pin down, each as qemu-server's parse_vm_config behaves.
 */
class VmConfigParserTest {
  static final String FILE = "/etc/pve/qemu-server/101.conf";

  static VmConfig parse(String text) throws PveFileException {
    return VmConfigParser.parse(FILE, text);
  }

  /**
   * Outsider finding: 'memroy: 8192' was kept silently and the state sized for the default memory.
   */
  @Test
  void aKeyOutsideQemuServersSchemaIsAnUnknownSettingAndLeftOut() throws Exception {
    VmConfig config =
        parse(
            "memroy: 8192\nnet31: virtio=BC:24:11:00:00:01,bridge=vmbr0\nnet32: virtio,bridge=vmbr0\n"
                + "[special:fleecing]\nfleecing-images: local:vm-1-fleece-0\n");
    assertEquals(Map.of("net31", "virtio=BC:24:11:00:00:01,bridge=vmbr0"), config.current());
    assertEquals(
        List.of(
            FILE + ":1: unable to parse value of 'memroy' - unknown setting 'memroy'",
            FILE + ":3: unable to parse value of 'net32' - unknown setting 'net32'"),
        config.problems());
  }

  /**
   * check_type strips the quotes of a string without a format ($confdesc's lock), and only of
   * those.
   */
  @Test
  void quotesAreTakenOffAStringWithoutAFormat() throws Exception {
    VmConfig config = parse("lock: \"suspended\"\nname: \"quoted\"\nserial0: \"socket\"\n");
    assertEquals("suspended", config.current().get("lock"));
    assertEquals(
        "\"quoted\"",
        config.current().get("name")); // name has a format (dns-name): kept as written
    assertEquals("socket", config.current().get("serial0"));
  }

  /**
   * parse_vm_config's snapstate test is not anchored at the start and comes before the key: value
   * one.
   */
  @Test
  void aLineEndingInSnapstateIsThatLineWhateverItsKey() throws Exception {
    VmConfig config =
        parse(
            "memory: 2048\nhostpci0: 0000:00:02.0,romfile=snapstate:delete\n[snap]\nsnapstate: prepare\n");
    assertEquals(
        Map.of("memory", "2048"),
        config.current()); // the top section's snapstate is deleted, silently
    assertEquals(List.of(), config.problems());
    assertEquals(Map.of("snapstate", "prepare"), config.snapshots().get("snap"));
  }

  /**
   * Proxmox reads /etc/pve as bytes: its \s is ASCII, so an ideographic space stays in the value
   * and fails the pattern.
   */
  @Test
  void onlyPerlsBlanksAreStripped() throws Exception {
    VmConfig config = parse("memory: 2048\nhostpci0: 0000:00:02.0\u3000\n");
    assertEquals(Map.of("memory", "2048"), config.current());
    assertEquals(
        List.of(
            FILE
                + ":2: unable to parse value of 'hostpci0' - format error\nhost: value does not match the regex pattern"),
        config.problems());
  }

  /**
   * \s*$ takes a CRLF file's \r, and \f or \v at the end: the lines are read, not refused as
   * control characters.
   */
  @Test
  void aCrlfConfigIsReadAsProxmoxReadsIt() throws Exception {
    VmConfig config =
        parse(
            "memory: 16384\r\nhostpci0: 0000:00:02.0\r\nscsi0: local-lvm:vm-201-disk-0,size=32G\f\n");
    assertEquals(
        Map.of(
            "memory",
            "16384",
            "hostpci0",
            "0000:00:02.0",
            "scsi0",
            "local-lvm:vm-201-disk-0,size=32G"),
        config.current());
    assertEquals(List.of(), config.problems());
  }

  /** Perl's . takes every character but \n; Java's stops at U+2028 and U+0085 unless told. */
  @Test
  void aLineSeparatorCharacterInsideAValueIsPartOfIt() throws Exception {
    VmConfig config = parse("hostpci0: 0000:00:02.0,romfile=vbios\u2028.rom\n");
    assertEquals(List.of(), config.problems());
    assertEquals("0000:00:02.0,romfile=vbios\u2028.rom", config.current().get("hostpci0"));
  }

  @Test
  void descriptionLinesAreUrlDecodedAndBelongToTheirSection() throws Exception {
    VmConfig config =
        parse("#GPU%20workstation\n#caf%C3%A9 line\nmemory: 2048\n[snap1]\n#old\nmemory: 1024\n");
    assertEquals("GPU workstation\ncafé line", config.description());
    assertEquals(Map.of("memory", "1024"), config.snapshots().get("snap1"));
  }

  @Test
  void cdromIsIde2AndBooleansAreNormalised() throws Exception {
    VmConfig config = parse("cdrom: none,media=cdrom\nnuma: on\nonboot: false\n");
    assertEquals(Map.of("ide2", "none,media=cdrom", "numa", "1", "onboot", "0"), config.current());
  }

  @Test
  void aDuplicateKeyCountsLastAndIsNamed() throws Exception {
    VmConfig config = parse("memory: 2048\ncores: 2\nmemory: 4096\n");
    assertEquals("4096", config.current().get("memory"));
    assertEquals(
        List.of(
            FILE
                + ":3: duplicate key 'memory' (also on line 1); the last one counts, as in Proxmox"),
        config.problems());
  }

  @Test
  void pendingChangesAndDeletesAreSeparate() throws Exception {
    VmConfig config = parse("memory: 2048\n[PENDING]\nmemory: 4096\ndelete: balloon,shares\n");
    assertEquals("2048", config.current().get("memory"));
    assertEquals("4096", config.pending().get("memory"));
    assertEquals(List.of("balloon", "shares"), config.pendingDeletes());
  }

  @Test
  void deleteOutsidePendingIsAProblem() throws Exception {
    assertEquals(
        List.of(FILE + ":2: property 'delete' is only allowed in [PENDING]"),
        parse("memory: 2048\ndelete: cores\n").problems());
  }

  @Test
  void anUnknownSectionIsSkippedToTheNextHeader() throws Exception {
    VmConfig config = parse("memory: 2048\n[:3]\nname: baz\n[snap]\ncores: 1\n");
    assertEquals(Map.of("memory", "2048"), config.current());
    assertEquals(Map.of("cores", "1"), config.snapshots().get("snap"));
    assertEquals(List.of(FILE + ":2: skipping unknown section: ':3'"), config.problems());
  }

  @Test
  void aLineWithAControlCharacterIsLeftOut() throws Exception {
    VmConfig config = parse("memory: 2048\nname: a\u0007b\n");
    assertEquals(Map.of("memory", "2048"), config.current());
    assertEquals(List.of(FILE + ":2: control character in 'name: a\\x07b'"), config.problems());
  }

  @Test
  void disksNameTheirStorageAndCdromMedia() throws Exception {
    List<VmConfig.Disk> disks =
        parse(
                "scsi0: local-lvm:vm-101-disk-0,size=32G\nide2: none,media=cdrom\n"
                    + "efidisk0: ceph-pool:vm-101-disk-1,efitype=4m\nsata1: /dev/disk/by-id/ata-X,backup=0\n"
                    + "unused0: nfs:101/vm-101-disk-2.qcow2\nnet0: virtio=BC:24:11:00:00:01\n")
            .disks();
    assertEquals(
        List.of("scsi0", "ide2", "efidisk0", "sata1", "unused0"),
        disks.stream().map(VmConfig.Disk::key).toList());
    assertEquals(Optional.of("local-lvm"), disks.get(0).storage());
    assertTrue(disks.get(1).isCdrom());
    assertEquals(Optional.empty(), disks.get(1).storage());
    assertEquals(
        Optional.empty(), disks.get(3).storage(), "a passed-through block device has no storage");
  }

  @Test
  void aBadHostpciIsLeftOutAndNamedAsProxmoxDoes() throws Exception {
    VmConfig config =
        parse(
            "memory: 2048\nhostpci0: 0000:01:00.0;../x,pcie=1\nhostpci1: 02:00.0,colour=red\n"
                + "hostpci2: host=03:00.0,mapping=gpu\nhostpci3: pcie=1\nhostpci4: 04:00.0,pcie=1\n");
    assertEquals(List.of(4), config.hostpci().stream().map(Hostpci::index).toList());
    assertEquals(
        List.of(
            FILE
                + ":2: unable to parse value of 'hostpci0' - format error\nhost: value does not match the regex pattern",
            FILE
                + ":3: unable to parse value of 'hostpci1' - invalid key in comma-separated list property: colour",
            FILE + ":4: hostpci2: Proxmox refuses the start: Cannot set both 'host' and 'mapping'.",
            FILE
                + ":5: hostpci3: Proxmox refuses the start: Either 'host' or 'mapping' must be set."),
        config.problems());
    assertThrows(
        PveFileException.class,
        () -> VmConfigParser.parseStrict(FILE, "hostpci1: 02:00.0,colour=red\n"));
  }

  @Test
  void hostpciReadsListsSlotsAndOptions() throws Exception {
    Hostpci h =
        parse("hostpci1: host=01:00;02:00.0,pcie=1,x-vga=1,romfile=vbios.bin\n").hostpci().get(0);
    assertEquals(1, h.index());
    assertEquals(List.of("0000:01:00", "0000:02:00.0"), h.ids());
    assertEquals(List.of("0000:01:00"), h.slots());
    assertEquals("vbios.bin", h.options().get("romfile"));
  }

  @Test
  void machineAndMemoryInTheirNewerForms() throws Exception {
    VmConfig config = parse("machine: type=pc-q35-9.2+pve1,viommu=intel\nmemory: current=8192\n");
    assertEquals(Optional.of("intel"), config.machine().viommu());
    assertTrue(config.machine().isQ35());
    assertEquals(8192, config.memoryMiB());
    // a viommu outside $machine_fmt's enum: Proxmox drops the line (QemuFormatsTest), so the
    // machine is the default
    assertEquals(
        new VmConfig.Machine(Optional.empty(), Optional.empty()),
        parse("machine: q35,viommu=amd\n").machine());
  }

  @Test
  void tagsAcceptTheSeparatorsProxmoxAccepts() throws Exception {
    assertEquals(List.of("gpu", "prod", "hibernate"), parse("tags: gpu;prod hibernate\n").tags());
  }

  @Test
  void aContainerConfigKeepsItsRawLxcLines() throws Exception {
    VmConfig ct =
        VmConfigParser.parse(
            "/etc/pve/lxc/200.conf",
            "arch: amd64\ncores: 2\nmemory: 1024\n"
                + "rootfs: local-lvm:vm-200-disk-0,size=8G\nlxc.cgroup2.devices.allow: c 226:* rwm\n"
                + "lxc.mount.entry = /dev/dri dev/dri none bind,optional,create=dir\nlxc.cgroup2.devices.allow: c 29:0 rwm\n");
    assertEquals(List.of(), ct.problems());
    assertEquals(
        List.of(
            Map.entry("lxc.cgroup2.devices.allow", "c 226:* rwm"),
            Map.entry("lxc.mount.entry", "/dev/dri dev/dri none bind,optional,create=dir"),
            Map.entry("lxc.cgroup2.devices.allow", "c 29:0 rwm")),
        ct.lxcRaw());
    assertEquals("2", ct.current().get("cores"));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "name: x%sy",
        "description:%s",
        "args:%s",
        "[PENDING]\ndelete:%s",
        "storage:dir: d1\n\tpath%s"
      })
  void aMegabyteOfBlanksInALineIsReadAtOnceNotForMinutes(String shape) {
    // Patterns like (.+?)\\s* once backtracked quadratically over a long run of blanks: minutes per
    // MiB,
    // a hang before any hook ran. Each shape here took 7 to 18 s for 100k blanks.
    String text = shape.replace("storage:", "").formatted(" ".repeat(1_000_000)) + "\n";
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofSeconds(10),
        () -> {
          if (shape.startsWith("storage:")) {
            StorageConfig.parse("/etc/pve/storage.cfg", text);
          } else {
            VmConfigParser.parse(FILE, text);
          }
        });
  }
}
