package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** storage.cfg as pve-storage reads it: sharing, paths, nodes, content defaults, and what it skips. */
class StorageConfigTest {
  static StorageConfig parse(String text) throws PveFileException {
    return StorageConfig.parse("/etc/pve/storage.cfg", text);
  }

  @Test
  void sharedByTypeOrByFlagAndFileBasedByPath() throws Exception {
    StorageConfig cfg = parse("nfs: nas\n\tpath /mnt/pve/nas\n\tserver s\n\texport /e\n\nlvm: san\n\tvgname v\n\tshared 1\n\n"
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
    Storage local = parse("dir: local\n\tpath /srv/other\n\tnodes pve2\n").get("local").orElseThrow();
    assertEquals(Optional.of("/var/lib/vz"), local.path());
    assertEquals(Optional.empty(), local.unavailableOn("pve1"));
    assertEquals(Optional.of("/var/lib/vz"), StorageConfig.absent().get("local").orElseThrow().path());
  }

  @Test
  void nodesAndDisableDecideAvailability() throws Exception {
    StorageConfig cfg = parse("rbd: ceph\n\tpool p\n\tnodes pve1,pve2\n\nlvmthin: off\n\tvgname v\n\tthinpool t\n\tdisable\n");
    assertEquals(Optional.empty(), cfg.get("ceph").orElseThrow().unavailableOn("pve2"));
    assertEquals(Optional.of("storage 'ceph' is not available on node 'pve3'"), cfg.get("ceph").orElseThrow().unavailableOn("pve3"));
    assertEquals(Optional.of("storage 'off' is disabled"), cfg.get("off").orElseThrow().unavailableOn("pve1"));
  }

  @Test
  void badSectionsAreSkippedAndNamedWithTheirLine() throws Exception {
    StorageConfig cfg = parse("weird: w1\n\tpath /x\n\ndir: d\n\tpath /y\n\ndir: nopath\n\tcontent images\n\n"
        + "dir: dup\n\tpath /a\n\tpath /b\n\n  stray line\n");
    assertEquals(List.of(
        "/etc/pve/storage.cfg:1: skip section 'w1': unsupported type 'weird'",
        "/etc/pve/storage.cfg:4: skip section 'd': storage ID 'd' cannot be shorter than 2 characters",
        "/etc/pve/storage.cfg:7: skip section 'nopath': missing value for required option 'path'",
        "/etc/pve/storage.cfg:12: section 'dup' - unable to parse value of 'path': duplicate attribute",
        "/etc/pve/storage.cfg:14: ignore config line:   stray line"), cfg.problems());
    assertEquals(Optional.of("/a"), cfg.get("dup").orElseThrow().path());
    assertEquals(Set.of("local", "dup"), cfg.storages().keySet());
  }

  @Test
  void aSecondSectionWithTheSameIdReplacesTheFirst() throws Exception {
    StorageConfig cfg = parse("dir: data\n\tpath /a\n\ndir: data\n\tpath /b\n");
    assertEquals(Optional.of("/b"), cfg.get("data").orElseThrow().path());
    assertEquals(List.of("/etc/pve/storage.cfg:4: storage 'data' is defined again (first on line 1); the last one counts,"
        + " as in Proxmox"), cfg.problems());
  }
}
