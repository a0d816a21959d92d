package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.guesthook.id.VmId;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * qemu-server's find_vmstate_storage, rule by rule, with the details its code has and the docs do
 * not say.
 */
class VmstateStorageTest {
  static final String STORAGE_CFG =
      """
      dir: local
      \tpath /var/lib/vz
      \tcontent iso,vztmpl,backup

      lvmthin: local-lvm
      \tthinpool data
      \tvgname pve

      dir: fast-dir
      \tpath /mnt/fast

      zfspool: zfs-a
      \tpool rpool/data

      zfspool: zfs-b
      \tpool tank/data

      rbd: ceph-pool
      \tpool vm-pool

      nfs: nas
      \tserver 10.0.0.5
      \texport /export/pve
      \tpath /mnt/pve/nas

      dir: shared-dir
      \tpath /mnt/cluster
      \tshared 1
      """;

  static VmstateStorage.Choice choose(String config) throws PveFileException {
    return VmstateStorage.choose(
        VmConfigParser.parse("/etc/pve/qemu-server/101.conf", config),
        StorageConfig.parse("/etc/pve/storage.cfg", STORAGE_CFG));
  }

  @ParameterizedTest(name = "{3}")
  @CsvSource(
      delimiter = '|',
      value = {
        // config lines (\\n-separated)                                              | storage   |
        // rule          | case
        "vmstatestorage: zfs-a\\nscsi0: ceph-pool:vm-101-disk-0                      | zfs-a     | CONFIGURED    | the config's vmstatestorage wins over everything",
        "scsi0: local-lvm:vm-101-disk-0\\nscsi1: ceph-pool:vm-101-disk-1             | ceph-pool | SHARED_DISK   | a shared disk storage wins over a local one",
        "scsi0: ceph-pool:vm-101-disk-0\\nscsi1: nas:101/vm-101-disk-1.qcow2         | nas       | SHARED_DISK   | among shared ones the file-based one wins",
        "scsi0: nas:101/a.qcow2\\nscsi1: shared-dir:101/b.qcow2                      | shared-dir| SHARED_DISK   | two file-based shared: the last in sorted order",
        "scsi0: zfs-b:vm-101-disk-0\\nscsi1: zfs-a:vm-101-disk-1                     | zfs-a     | LOCAL_DISK    | no file-based storage: the first in sorted order, not in disk order",
        "scsi0: local-lvm:vm-101-disk-0\\nvirtio0: fast-dir:101/vm-101-disk-1.raw    | fast-dir  | LOCAL_DISK    | a local file-based storage wins over a block one",
        "ide2: ceph-pool:iso/x.iso,media=cdrom\\nscsi0: local-lvm:vm-101-disk-0      | local-lvm | LOCAL_DISK    | a cdrom does not count, even on a shared storage",
        "unused0: ceph-pool:vm-101-disk-9\\nscsi0: local-lvm:vm-101-disk-0           | local-lvm | LOCAL_DISK    | unused disks do not count",
        "efidisk0: ceph-pool:vm-101-disk-1,efitype=4m\\nscsi0: local-lvm:vm-101-disk-0| ceph-pool | SHARED_DISK   | the EFI disk counts",
        "tpmstate0: nas:101/vm-101-disk-2.raw\\nscsi0: local-lvm:vm-101-disk-0       | nas       | SHARED_DISK   | the TPM state counts",
        "ide2: none,media=cdrom\\nsata0: /dev/disk/by-id/ata-X                         | local     | DEFAULT_LOCAL | no disk on a storage: local",
        "memory: 2048                                                                 | local     | DEFAULT_LOCAL | a VM without disks: local",
      })
  void theRulesInUpstreamsOrder(String config, String storage, String rule, String description)
      throws Exception {
    VmstateStorage.Choice choice = choose(config.strip().replace("\\n", "\n") + "\n");
    assertEquals(storage, choice.storage(), description);
    assertEquals(VmstateStorage.Rule.valueOf(rule), choice.rule(), description);
  }

  @Test
  void aHibernatedVmsExistingStateAndTheNextChoiceAreTwoAnswers() throws Exception {
    String text =
        "lock: suspended\nscsi0: ceph-pool:vm-101-disk-0\nvmstate: local-lvm:vm-101-state-suspend-2026-11-20\n";
    VmstateStorage.Choice choice = choose(text);
    assertEquals("ceph-pool", choice.storage());
    assertEquals(VmstateStorage.Rule.SHARED_DISK, choice.rule());
    assertEquals(
        Optional.of("local-lvm"),
        VmstateStorage.existingStateStorage(
            VmConfigParser.parse("/etc/pve/qemu-server/101.conf", text)));
  }

  @Test
  void aDiskOnAStorageThatDoesNotExistIsNamed() {
    PveFileException e =
        assertThrows(PveFileException.class, () -> choose("scsi0: gone:vm-101-disk-0\n"));
    assertEquals(
        "/etc/pve/qemu-server/101.conf: storage 'gone' does not exist (a disk of this VM is on it)",
        e.getMessage());
  }

  @Test
  void theDisabledOrForeignStorageIsStillChosenAsUpstreamDoes() throws Exception {
    StorageConfig storages =
        StorageConfig.parse(
            "/etc/pve/storage.cfg", "rbd: ceph-pool\n\tpool p\n\tdisable\n\tnodes pve2\n");
    VmstateStorage.Choice choice =
        VmstateStorage.choose(
            VmConfigParser.parse("/x/101.conf", "scsi0: ceph-pool:vm-101-disk-0\n"), storages);
    assertEquals("ceph-pool", choice.storage());
    assertEquals(
        Optional.of("storage 'ceph-pool' is disabled"),
        storages.get("ceph-pool").orElseThrow().unavailableOn("pve1"));
  }

  @Test
  void sizeAndNameAreUpstreams() throws Exception {
    VmConfig config = VmConfigParser.parse("/x/101.conf", "memory: 4096\n");
    assertEquals(2 * 4096 + 500, VmstateStorage.sizeMiB(config));
    StorageConfig storages = StorageConfig.parse("/etc/pve/storage.cfg", STORAGE_CFG);
    assertEquals(
        "vm-101-state-suspend-2026-11-24.raw",
        VmstateStorage.volumeName(
            new VmId(101), LocalDate.of(2026, 11, 24), storages.get("nas").orElseThrow()));
    assertEquals(
        "vm-101-state-suspend-2026-11-24",
        VmstateStorage.volumeName(
            new VmId(101), LocalDate.of(2026, 11, 24), storages.get("local-lvm").orElseThrow()));
    assertEquals(List.of(), VmstateStorage.diskStorages(config));
  }

  @Test
  void aVmstatestorageThatIsNotAStorageIdIsDroppedAsProxmoxDoes() throws Exception {
    VmConfig config =
        VmConfigParser.parse(
            "/etc/pve/qemu-server/101.conf",
            "vmstatestorage: 9bad\nscsi0: ceph-pool:vm-101-disk-0\n");
    assertEquals(
        List.of(
            "/etc/pve/qemu-server/101.conf:1: unable to parse value of 'vmstatestorage' - storage ID '9bad'"
                + " contains illegal characters"),
        config.problems());
    VmstateStorage.Choice choice =
        VmstateStorage.choose(config, StorageConfig.parse("/etc/pve/storage.cfg", STORAGE_CFG));
    assertEquals("ceph-pool", choice.storage());
    assertEquals(VmstateStorage.Rule.SHARED_DISK, choice.rule());
  }

  @Test
  void aDriveWhoseVolumeDoesNotParseIsDroppedAndNotWeighed() throws Exception {
    VmConfig config =
        VmConfigParser.parse(
            "/etc/pve/qemu-server/101.conf",
            "scsi0: ceph-pool\nscsi1: local-lvm:vm-101-disk-1\nscsi2: /mnt/file.raw\n");
    assertEquals(
        List.of(
            "/etc/pve/qemu-server/101.conf:1: unable to parse value of 'scsi0' - format error\nfile: invalid format -"
                + " unable to parse volume ID 'ceph-pool'"),
        config.problems());
    assertEquals(
        "local-lvm",
        VmstateStorage.choose(config, StorageConfig.parse("/etc/pve/storage.cfg", STORAGE_CFG))
            .storage());
  }

  @Test
  void anUpperCaseStorageIdIsAStorageIdInConfigsToo() throws Exception {
    VmConfig config =
        VmConfigParser.parse(
            "/etc/pve/qemu-server/101.conf",
            "vmstatestorage: Fast-Dir\nscsi0: Fast-Dir:101/vm-101-disk-0.raw\n");
    assertEquals(List.of(), config.problems());
    assertEquals(Optional.of("Fast-Dir"), config.disks().get(0).storage());
    assertEquals(
        "Fast-Dir",
        VmstateStorage.choose(
                config,
                StorageConfig.parse(
                    "/etc/pve/storage.cfg", STORAGE_CFG + "\ndir: Fast-Dir\n\tpath /mnt/fast2\n"))
            .storage());
  }
}
