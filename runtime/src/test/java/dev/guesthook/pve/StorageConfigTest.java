package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * storage.cfg as pve-storage reads it: sharing, paths, nodes, content defaults, and what it skips.
 */
class StorageConfigTest {
  static StorageConfig parse(String text) throws PveFileException {
    return StorageConfig.parse("/etc/pve/storage.cfg", text);
  }

  /**
   * SectionConfig's section runs to a line Perl finds false: an empty line or "0". A line of blanks
   * is true, so it is an ignored line inside the section, not its end; "0" ends it.
   */
  @Test
  void aSectionEndsAtAnEmptyLineOrZeroButNotAtBlanks() throws Exception {
    StorageConfig cfg =
        parse(
            "nfs: shared1\n\tserver 10.0.0.1\n\texport /e\n \n\tpath /mnt/pve/shared1\n\n"
                + "dir: aaa\n\tpath /a\n0\n\tshared 1\n");
    assertEquals(Optional.of("/mnt/pve/shared1"), cfg.get("shared1").orElseThrow().path());
    assertEquals(false, cfg.get("aaa").orElseThrow().shared());
    assertEquals(
        List.of(
            "/etc/pve/storage.cfg:4: ignore config line:  ",
            "/etc/pve/storage.cfg:10: ignore config line: \\x09shared 1"),
        cfg.problems());
  }

  /**
   * \s*$ takes a CRLF's \r at the end of a header and of a property; a lone \r line is an ignored
   * line.
   */
  @Test
  void aCrlfStorageCfgIsReadAsProxmoxReadsIt() throws Exception {
    StorageConfig cfg =
        parse("dir: fast\r\n\tpath /fast\r\n\tshared 1\r\n\r\n\tcontent images\r\n");
    Storage fast = cfg.get("fast").orElseThrow();
    assertEquals(Optional.of("/fast"), fast.path());
    assertTrue(fast.shared());
    assertTrue(fast.content().contains("images"));
  }

  /**
   * decode_value makes "nodes ," an empty hash, which storage_check_node finds true: the storage is
   * on no node.
   */
  @Test
  void anEmptyNodeListLeavesTheStorageOnNoNode() throws Exception {
    StorageConfig cfg = parse("dir: nowhere\n\tpath /n\n\tnodes ,\n");
    assertEquals(
        Optional.of("storage 'nowhere' is not available on node 'pve1'"),
        cfg.get("nowhere").orElseThrow().unavailableOn("pve1"));
  }

  /**
   * Adversary finding: parse_config stores check_config's undef over an earlier section of the same
   * id, so a later broken 'fast' leaves no storage 'fast'; a later section with a bad header is
   * never stored.
   */
  @Test
  void aLaterBrokenSectionOfTheSameIdLeavesNoStorage() throws Exception {
    assertEquals(
        Optional.empty(),
        parse("dir: fast\n\tpath /mnt/fast\n\ndir: fast\n\tcontent images\n").get("fast"));
    assertEquals(
        Optional.of("/mnt/fast"),
        parse("dir: fast\n\tpath /mnt/fast\n\nweird: fast\n\tpath /x\n")
            .get("fast")
            .orElseThrow()
            .path());
  }

  @Test
  void sharedByTypeOrByFlagAndFileBasedByPath() throws Exception {
    StorageConfig cfg =
        parse(
            "nfs: nas\n\tpath /mnt/pve/nas\n\tserver s\n\texport /e\n\nlvm: san\n\tvgname vg\n\tshared 1\n\n"
                + "dir: local-dir\n\tpath /data\n\nzfspool: zp\n\tpool p\n");
    assertTrue(cfg.get("nas").orElseThrow().shared());
    assertTrue(cfg.get("nas").orElseThrow().isFileBased());
    assertTrue(cfg.get("san").orElseThrow().shared());
    assertFalse(cfg.get("san").orElseThrow().isFileBased());
    assertFalse(cfg.get("local-dir").orElseThrow().shared());
    assertEquals(Set.of("images", "rootdir"), cfg.get("zp").orElseThrow().content());
  }

  @Test
  void localIsAlwaysTheDirAtVarLibVzOnEveryNode() throws Exception {
    Storage local =
        parse("dir: local\n\tpath /srv/other\n\tnodes pve2\n").get("local").orElseThrow();
    assertEquals(Optional.of("/var/lib/vz"), local.path());
    assertEquals(Optional.empty(), local.unavailableOn("pve1"));
    assertEquals(
        Optional.of("/var/lib/vz"), StorageConfig.absent().get("local").orElseThrow().path());
  }

  @Test
  void nodesAndDisableDecideAvailability() throws Exception {
    StorageConfig cfg =
        parse(
            "rbd: ceph\n\tpool p\n\tnodes pve1,pve2\n\nlvmthin: off\n\tvgname vg\n\tthinpool tp\n\tdisable\n");
    assertEquals(Optional.empty(), cfg.get("ceph").orElseThrow().unavailableOn("pve2"));
    assertEquals(
        Optional.of("storage 'ceph' is not available on node 'pve3'"),
        cfg.get("ceph").orElseThrow().unavailableOn("pve3"));
    assertEquals(
        Optional.of("storage 'off' is disabled"),
        cfg.get("off").orElseThrow().unavailableOn("pve1"));
  }

  @Test
  void badSectionsAreSkippedAndNamedWithTheirLine() throws Exception {
    StorageConfig cfg =
        parse(
            "weird: w1\n\tpath /x\n\ndir: d\n\tpath /y\n\ndir: nopath\n\tcontent images\n\n"
                + "dir: dup\n\tpath /a\n\tpath /b\n\n  stray line\n");
    assertEquals(
        List.of(
            "/etc/pve/storage.cfg:1: skip section 'w1': unsupported type 'weird'",
            "/etc/pve/storage.cfg:4: skip section 'd': storage ID 'd' cannot be shorter than 2 characters",
            "/etc/pve/storage.cfg:7: skip section 'nopath': missing value for required option 'path'",
            "/etc/pve/storage.cfg:12: section 'dup' - unable to parse value of 'path': duplicate attribute",
            "/etc/pve/storage.cfg:14: ignore config line:   stray line"),
        cfg.problems());
    assertEquals(Optional.of("/a"), cfg.get("dup").orElseThrow().path());
    assertEquals(Set.of("local", "dup"), cfg.storages().keySet());
  }

  @Test
  void aSecondSectionWithTheSameIdReplacesTheFirst() throws Exception {
    StorageConfig cfg = parse("dir: data\n\tpath /a\n\ndir: data\n\tpath /b\n");
    assertEquals(Optional.of("/b"), cfg.get("data").orElseThrow().path());
    assertEquals(
        List.of(
            "/etc/pve/storage.cfg:4: storage 'data' is defined again (first on line 1); the last one counts,"
                + " as in Proxmox"),
        cfg.problems());
  }

  private static final String AT = "/etc/pve/storage.cfg:";

  @Test
  void sharedIsTakenOnlyWhereTheTypesOptionsHaveIt() throws Exception {
    StorageConfig cfg =
        parse(
            "lvm: san\n\tvgname vg\n\tshared 1\n\nlvmthin: thin\n\tvgname vg\n\tthinpool tp\n\tshared 1\n");
    assertTrue(cfg.get("san").orElseThrow().shared());
    assertFalse(cfg.get("thin").orElseThrow().shared());
    assertEquals(
        List.of(
            AT
                + "8: section 'thin' - unable to parse value of 'shared': unexpected property 'shared'"),
        cfg.problems());
  }

  @Test
  void eachTypeTakesItsOwnOptionsAndRefusesOthers() throws Exception {
    StorageConfig cfg =
        parse(
            "zfspool: zp\n\tpool p\n\tmountpoint /zp\n\tsparse 1\n\tpath /x\n\n"
                + "pbs: backup\n\tserver s\n\tdatastore d\n\tfingerprint f\n\tmkdir 0\n");
    assertEquals(
        Optional.of("/zp"),
        Optional.ofNullable(cfg.get("zp").orElseThrow().properties().get("mountpoint")));
    assertFalse(cfg.get("zp").orElseThrow().isFileBased());
    assertEquals(
        List.of(
            AT + "5: section 'zp' - unable to parse value of 'path': unexpected property 'path'",
            AT
                + "11: section 'backup' - unable to parse value of 'mkdir': unexpected property 'mkdir'"),
        cfg.problems());
  }

  @Test
  void aBooleanIsOneOrZeroOrNothingAndAnythingElseIsDropped() throws Exception {
    StorageConfig cfg =
        parse(
            "lvm: yes-word\n\tvgname vg\n\tshared yes\n\nlvm: bare\n\tvgname vg\n\tshared\n\n"
                + "lvm: zero\n\tvgname vg\n\tshared 0\n\tdisable true\n");
    assertFalse(cfg.get("yes-word").orElseThrow().shared());
    assertTrue(cfg.get("bare").orElseThrow().shared());
    assertFalse(cfg.get("zero").orElseThrow().shared());
    assertFalse(cfg.get("zero").orElseThrow().disabled());
    assertEquals(
        List.of(
            AT
                + "3: section 'yes-word' - unable to parse value of 'shared': type check ('boolean') failed - got 'yes'",
            AT
                + "12: section 'zero' - unable to parse value of 'disable': type check ('boolean') failed - got 'true'"),
        cfg.problems());
  }

  @Test
  void integersAndEnumerationsAreCheckedAsUpstreamsCheckProp() throws Exception {
    StorageConfig cfg =
        parse(
            "pbs: backup\n\tserver s\n\tdatastore d\n\tport 8007\n\n"
                + "pbs: far\n\tserver s\n\tdatastore d\n\tport 70000\n\n"
                + "esxi: vc\n\tserver s\n\tusername u\n\tport 44x\n\n"
                + "dir: pre\n\tpath /p\n\tpreallocation full\n\n"
                + "dir: bad-pre\n\tpath /p\n\tpreallocation sparse\n\tmax-protected-backups -2\n");
    assertEquals("8007", cfg.get("backup").orElseThrow().properties().get("port"));
    assertEquals("full", cfg.get("pre").orElseThrow().properties().get("preallocation"));
    assertEquals(
        List.of(
            AT
                + "9: section 'far' - unable to parse value of 'port': value must have a maximum value of 65535",
            AT
                + "14: section 'vc' - unable to parse value of 'port': type check ('integer') failed - got '44x'",
            AT
                + "22: section 'bad-pre' - unable to parse value of 'preallocation': value 'sparse' does not have a value in"
                + " the enumeration 'off, metadata, falloc, full'",
            AT
                + "23: section 'bad-pre' - unable to parse value of 'max-protected-backups': value must have a minimum value"
                + " of -1"),
        cfg.problems());
  }

  @Test
  void aDirWhosePathIsNotAbsoluteDoesNotExist() throws Exception {
    StorageConfig cfg = parse("dir: rel\n\tpath var/lib/data\n\ndir: abs\n\tpath /srv/data\n");
    assertEquals(Set.of("local", "abs"), cfg.storages().keySet());
    assertEquals(
        List.of(
            AT
                + "2: section 'rel' - unable to parse value of 'path': invalid format - value does not look like a valid"
                + " absolute path",
            AT + "1: skip section 'rel': missing value for required option 'path'"),
        cfg.problems());
  }

  @Test
  void requiredOptionsAreThoseEachTypeDoesNotMarkOptional() throws Exception {
    StorageConfig cfg = parse("nfs: nas\n\tpath /mnt/pve/nas\n\tserver s\n\nrbd: ceph\n");
    assertEquals(Set.of("local", "ceph"), cfg.storages().keySet());
    assertEquals(
        List.of(AT + "1: skip section 'nas': missing value for required option 'export'"),
        cfg.problems());
  }

  @Test
  void storageIdsFollowPveStorageIdInEitherCase() throws Exception {
    StorageConfig cfg =
        parse("dir: NAS-Store.2\n\tpath /a\n\ndir: 2nd\n\tpath /b\n\ndir: ends-\n\tpath /c\n");
    assertEquals(Set.of("local", "NAS-Store.2"), cfg.storages().keySet());
    assertEquals(
        List.of(
            AT + "4: skip section '2nd': storage ID '2nd' contains illegal characters",
            AT + "7: skip section 'ends-': storage ID 'ends-' contains illegal characters"),
        cfg.problems());
  }

  @Test
  void contentIsAListOfKnownContentTypes() throws Exception {
    StorageConfig cfg =
        parse(
            "dir: ok\n\tpath /a\n\tcontent images;iso, backup\n\n"
                + "dir: typo\n\tpath /b\n\tcontent images,imgs\n");
    assertEquals(Set.of("images", "iso", "backup"), cfg.get("ok").orElseThrow().content());
    assertEquals(
        List.of(
            AT
                + "7: section 'typo' - unable to parse value of 'content': invalid format - "
                + "invalid content type 'imgs'"),
        cfg.problems());
    assertEquals(
        Set.of("images", "rootdir"),
        cfg.get("typo").orElseThrow().content(),
        "dropped: the type's default");
  }

  @Test
  void contentATypeDoesNotSupportIsLeftOutWithAWarning() throws Exception {
    StorageConfig cfg =
        parse(
            "lvm: vg\n\tvgname vg\n\tcontent images,iso\n\nzfspool: zp\n\tpool p\n\tcontent rootdir\n");
    assertEquals(Set.of("images"), cfg.get("vg").orElseThrow().content());
    assertEquals(Set.of("rootdir"), cfg.get("zp").orElseThrow().content());
    assertEquals(
        List.of(AT + "3: section 'vg' - storage does not support content type 'iso'; left out"),
        cfg.problems());
  }

  @Test
  void noneAloneIsTakenOnlyWhereTheTypeSupportsIt() throws Exception {
    StorageConfig cfg =
        parse(
            "iscsi: lun\n\tportal 10.0.0.1\n\ttarget t\n\tcontent none\n\n"
                + "nfs: nas\n\tpath /mnt/nas\n\tserver s\n\texport /e\n\tcontent none\n\n"
                + "dir: both\n\tpath /c\n\tcontent none,images\n");
    assertEquals(Set.of("none"), cfg.get("lun").orElseThrow().content());
    assertEquals(
        List.of(
            AT + "10: section 'nas' - storage does not support content type 'none'; left out",
            AT + "6: skip section 'nas': storage does not support content type 'none'",
            AT + "12: skip section 'both': unable to combine 'none' with other content types"),
        cfg.problems());
    assertEquals(Set.of("local", "lun"), cfg.storages().keySet());
  }

  @Test
  void nodesIsAListOfNodeNamesAndABadOneDropsTheRestriction() throws Exception {
    StorageConfig cfg =
        parse("rbd: ok\n\tpool p\n\tnodes pve-1 pve2\n\nrbd: bad\n\tpool p\n\tnodes pve1,pve_2\n");
    assertEquals(
        Optional.of("storage 'ok' is not available on node 'pve3'"),
        cfg.get("ok").orElseThrow().unavailableOn("pve3"));
    assertEquals(
        List.of(
            AT
                + "7: section 'bad' - unable to parse value of 'nodes': invalid format - "
                + "value does not look like a valid node name"),
        cfg.problems());
    assertEquals(
        Optional.empty(),
        cfg.get("bad").orElseThrow().unavailableOn("pve3"),
        "as in Proxmox: on every node");
  }

  /**
   * The two lines for a required option dropped by its format: the value refused, then the storage
   * skipped.
   */
  private static List<String> skipped(
      String id, int header, int valueLine, String key, String why) {
    return List.of(
        AT
            + valueLine
            + ": section '"
            + id
            + "' - unable to parse value of '"
            + key
            + "': invalid format - "
            + why,
        AT
            + header
            + ": skip section '"
            + id
            + "': missing value for required option '"
            + key
            + "'");
  }

  @Test
  void serversAreIpAddressesOrDnsNamesAndPortalsMayAddAPortElseTheStorageIsSkipped()
      throws Exception {
    StorageConfig cfg =
        parse(
            "nfs: v4\n\tpath /m/a\n\tserver 192.168.1.10\n\texport /e\n\n"
                + "nfs: v6\n\tpath /m/b\n\tserver fd00::10\n\texport /e\n\n"
                + "nfs: dns\n\tpath /m/c\n\tserver nas-1.example.org\n\texport /e\n\n"
                + "nfs: port\n\tpath /m/d\n\tserver nas:2049\n\texport /e\n\n"
                + "iscsi: pa\n\tportal 10.0.0.1:3260\n\ttarget t\n\n"
                + "iscsi: pb\n\tportal [fd00::1]:3260\n\ttarget t\n\n"
                + "iscsi: pc\n\tportal san.example\n\ttarget t\n\n"
                + "iscsi: pd\n\tportal san/x:3260\n\ttarget t\n");
    assertEquals(Set.of("local", "v4", "v6", "dns", "pa", "pb", "pc"), cfg.storages().keySet());
    List<String> expected =
        new ArrayList<>(
            skipped(
                "port",
                16,
                18,
                "server",
                "value does not look like a valid server name or IP address"));
    expected.addAll(
        skipped("pd", 33, 34, "portal", "value does not look like a valid portal address"));
    assertEquals(expected, cfg.problems());
  }

  @Test
  void volumeGroupAndThinPoolNamesAreLvmNames() throws Exception {
    StorageConfig cfg =
        parse(
            "lvmthin: ok\n\tvgname pve\n\tthinpool data_1.x\n\n"
                + "lvmthin: bad\n\tvgname pve\n\tthinpool -data\n\n"
                + "lvm: bad-vg\n\tvgname vg!\n");
    assertEquals(Set.of("local", "ok"), cfg.storages().keySet());
    List<String> expected =
        new ArrayList<>(
            skipped("bad", 5, 7, "thinpool", "lvm name '-data' contains illegal characters"));
    expected.addAll(
        skipped("bad-vg", 9, 10, "vgname", "lvm name 'vg!' contains illegal characters"));
    assertEquals(expected, cfg.problems());
  }
}
