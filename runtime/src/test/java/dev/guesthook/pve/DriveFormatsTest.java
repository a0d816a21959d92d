package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * qemu-server's drive formats (Drive.pm), as parse_vm_config's check_type reads a drive through
 * check_format → parse_property_string: one accepted and one refused value per enumeration,
 * pattern, bound and named format. A refused drive is left out, named with file:line and Proxmox's
 * words, and so no longer decides where hibernation state goes.
 */
class DriveFormatsTest {
  static final String FILE = "/etc/pve/qemu-server/101.conf";

  private static List<String> problems(String key, String value) throws PveFileException {
    VmConfig config = VmConfigParser.parse(FILE, "name: vm\n" + key + ": " + value + "\n");
    String stored = key.equals("cdrom") ? "ide2" : key;
    assertEquals(
        config.problems().isEmpty(),
        config.current().containsKey(stored),
        "a named line is left out");
    return config.problems();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "scsi0|local-lvm:vm-101-disk-0,media=disk", // file: volume id; media enum
        "ide2|none,media=cdrom", // verify_volume_id_or_qm_path: none
        "cdrom|cdrom", // ... cdrom, via qemu-server's cdrom key
        "sata0|/dev/disk/by-id/ata-X,cache=writeback", // ... absolute path; cache enum
        "virtio0|volume=local:101/vm-101-disk-0.qcow2,format=qcow2", // volume alias;
        // pve-qm-image-format
        "scsi1|local:vm-101-disk-1,size=32G", // disk-size
        "scsi2|local:vm-101-disk-2,size=1.5TiB",
        "scsi3|local:vm-101-disk-3,rerror=stop,werror=enospc", // rerror/werror enums
        "scsi4|local:vm-101-disk-4,aio=io_uring,discard=on", // aio, discard enums
        "scsi5|local:vm-101-disk-5,serial=ABC%2D123", // serial: urlencoded, 60 characters
        "ide0|local:vm-101-disk-6,model=My%20Disk", // model: urlencoded (ide)
        "scsi6|local:vm-101-disk-7,mbps=12.5,mbps_max=20", // mbps: numbers
        "scsi7|local:vm-101-disk-8,iops_rd=100,iops_rd_length=5", // integers; legacy alias, minimum
        // 1
        "scsi8|local:vm-101-disk-9,queues=2,ro=1,iothread=on", // queues minimum 2; booleans
        "scsi9|local:vm-101-disk-10,product=QEMU HARDDISK 16", // product pattern, 16 characters
        "scsi10|local:vm-101-disk-11,vendor=ACME-1_2", // vendor pattern, 8 characters
        "sata1|local:vm-101-disk-12,wwn=0x5000c500a1b2c3d4,ssd=1", // wwn pattern
        "efidisk0|local:vm-101-disk-13,efitype=4m,ms-cert=2023k,pre-enrolled-keys=1", // efitype,
        // ms-cert
        "tpmstate0|local:vm-101-disk-14,version=v2.0,format=raw", // version; pve-vm-image-format
        "unused0|local:vm-101-disk-15", // unused: pve-volume-id
        "unused255|volume=local:vm-101-disk-16"
      })
  void accepted(String key, String value) throws Exception {
    assertEquals(List.of(), problems(key, value));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "scsi0|local-lvm:vm-101-disk-0,media=floppy|format error\\nmedia: value 'floppy' does not have a value in the enumeration 'cdrom, disk'",
        "ide2|floppy.img,media=cdrom|format error\\nfile: invalid format - unable to parse volume ID 'floppy.img'",
        "sata0|local:vm-101-disk-0,cache=bogus|format error\\ncache: value 'bogus' does not have a value in the enumeration 'none, writethrough, writeback, unsafe, directsync'",
        "virtio0|local:vm-101-disk-0,format=iso|format error\\nformat: value 'iso' does not have a value in the enumeration 'raw, qcow, qed, qcow2, vmdk, cloop'",
        "scsi1|local:vm-101-disk-1,size=32GB|format error\\nsize: invalid format - value does not look like a valid disk size: 32GB",
        "scsi3|local:vm-101-disk-3,rerror=enospc|format error\\nrerror: value 'enospc' does not have a value in the enumeration 'ignore, report, stop'",
        "scsi3|local:vm-101-disk-3,werror=retry|format error\\nwerror: value 'retry' does not have a value in the enumeration 'enospc, ignore, report, stop'",
        "scsi4|local:vm-101-disk-4,aio=posix|format error\\naio: value 'posix' does not have a value in the enumeration 'native, threads, io_uring'",
        "scsi4|local:vm-101-disk-4,discard=off|format error\\ndiscard: value 'off' does not have a value in the enumeration 'ignore, on'",
        "scsi5|local:vm-101-disk-5,serial=ABC 123|format error\\nserial: invalid format - invalid urlencoded string: ABC 123",
        "scsi5|local:vm-101-disk-5,serial=0123456789012345678901234567890123456789012345678901234567890|format error\\nserial: value may only be 60 characters long",
        "ide0|local:vm-101-disk-6,model=My/Disk|format error\\nmodel: invalid format - invalid urlencoded string: My/Disk",
        "scsi6|local:vm-101-disk-7,mbps=fast|format error\\nmbps: type check ('number') failed - got 'fast'",
        "scsi7|local:vm-101-disk-8,iops_rd=1.5|format error\\niops_rd: type check ('integer') failed - got '1.5'",
        "scsi7|local:vm-101-disk-8,iops_rd_length=0|format error\\niops_rd_max_length: value must have a minimum value of 1",
        "scsi8|local:vm-101-disk-9,queues=1|format error\\nqueues: value must have a minimum value of 2",
        "scsi8|local:vm-101-disk-9,ro=maybe|format error\\nro: type check ('boolean') failed - got 'maybe'",
        "scsi9|local:vm-101-disk-10,product=QEMU HARDDISK 17c|format error\\nproduct: value does not match the regex pattern",
        "scsi10|local:vm-101-disk-11,vendor=ACME.Inc|format error\\nvendor: value does not match the regex pattern",
        "sata1|local:vm-101-disk-12,wwn=0x5000c500a1b2c3d4ff|format error\\nwwn: value does not match the regex pattern",
        "efidisk0|local:vm-101-disk-13,efitype=8m|format error\\nefitype: value '8m' does not have a value in the enumeration '2m, 4m'",
        "efidisk0|local:vm-101-disk-13,ms-cert=2024|format error\\nms-cert: value '2024' does not have a value in the enumeration '2011, 2023, 2023w, 2023k'",
        "tpmstate0|local:vm-101-disk-14,version=v3.0|format error\\nversion: value 'v3.0' does not have a value in the enumeration 'v1.2, v2.0'",
        "tpmstate0|local:vm-101-disk-14,format=qcow|format error\\nformat: value 'qcow' does not have a value in the enumeration 'raw, qcow2, vmdk'",
        "unused0|/var/lib/vz/images/101/vm-101-disk-15.raw|format error\\nfile: invalid format - unable to parse volume ID '/var/lib/vz/images/101/vm-101-disk-15.raw'",
        "ide0|media=cdrom|format error\\nfile: property is missing and it is not optional",
        "virtio1|local:vm-101-disk-1,ssd=1|invalid key in comma-separated list property: ssd",
        "ide1|local:vm-101-disk-1,cyls=2|invalid key in comma-separated list property: cyls",
        "scsi11|local:a,cache=none,cache=unsafe|duplicate key in comma-separated list property: cache",
        "scsi12|local:a,volume=local:b|key 'file' is already defined (via alias)",
        "scsi13|volume=local:a,volume=local:b|key 'file' is already defined (via alias)",
        "scsi31|local:vm-101-disk-31|unknown setting 'scsi31'",
        "unused256|local:vm-101-disk-16|unknown setting 'unused256'"
      })
  void refused(String key, String value, String message) throws Exception {
    assertEquals(
        List.of(
            FILE + ":2: unable to parse value of '" + key + "' - " + message.replace("\\n", "\n")),
        problems(key, value));
  }

  @Test
  void aDroppedDriveNoLongerDecidesTheStateStorage() throws Exception {
    VmConfig config =
        VmConfigParser.parse(
            FILE, "scsi0: ceph-pool:vm-101-disk-0,cache=bogus\nscsi1: local-lvm:vm-101-disk-1\n");
    assertEquals(
        List.of(
            FILE
                + ":1: unable to parse value of 'scsi0' - format error\ncache: value 'bogus' does not"
                + " have a value in the enumeration 'none, writethrough, writeback, unsafe, directsync'"),
        config.problems());
    assertEquals(
        "local-lvm",
        VmstateStorage.choose(
                config, StorageConfig.parse("/etc/pve/storage.cfg", VmstateStorageTest.STORAGE_CFG))
            .storage());
  }

  @Test
  void aDriveGivenByItsVolumeAliasIsWeighedByItsStorage() throws Exception {
    VmConfig config =
        VmConfigParser.parse(FILE, "scsi0: cache=none,volume=ceph-pool:vm-101-disk-0\n");
    assertEquals(List.of(), config.problems());
    assertEquals("ceph-pool:vm-101-disk-0", config.disks().get(0).volume());
    assertEquals(
        "ceph-pool",
        VmstateStorage.choose(
                config, StorageConfig.parse("/etc/pve/storage.cfg", VmstateStorageTest.STORAGE_CFG))
            .storage());
  }

  /**
   * scsi0 on the shared ceph-pool wins when parse_drive reads it; else scsi1's local-lvm is chosen.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "bps=1048576|ceph-pool", // bps alone: turned into mbps
        "bps=1048576,mbps=1|local-lvm", // both bps and mbps specified
        "mbps=10,mbps_max=20|ceph-pool", // mbps_max requires mbps: met
        "mbps_max=20|local-lvm", // ... unmet
        "mbps_max=0|ceph-pool", // 0 is false in Perl: no requirement
        "mbps_rd=5,mbps_rd_max=8,bps_rd_max_length=2|ceph-pool",
        "bps_rd_max_length=2|local-lvm", // requires mbps_rd_max
        "iops_max=9,iops_max_length=3|ceph-pool",
        "iops_max_length=3|local-lvm", // requires iops_max
        "mbps_rd=5|ceph-pool",
        "mbps_rd=5,mbps=10|local-lvm", // mbps_rd with mbps
        "mbps=0.0,mbps_wr=5|local-lvm", // '0.0' is true in Perl
        "bps=1048576,mbps_rd=5|local-lvm", // bps became a true mbps ('0.000')
        "iops_wr=5,iops=0|ceph-pool",
        "iops_wr=5,iops=10|local-lvm"
      })
  void aDriveParseDriveRefusesIsNotWeighed(String options, String chosen) throws Exception {
    VmConfig config =
        VmConfigParser.parse(
            FILE,
            "scsi0: ceph-pool:vm-101-disk-0," + options + "\nscsi1: local-lvm:vm-101-disk-1\n");
    assertEquals(
        List.of(), config.problems(), "Proxmox reads the line; only parse_drive refuses it");
    assertEquals(
        chosen,
        VmstateStorage.choose(
                config, StorageConfig.parse("/etc/pve/storage.cfg", VmstateStorageTest.STORAGE_CFG))
            .storage());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ide2|local:iso/debian.iso,media=cdrom|true",
        "ide2|local:iso/debian.iso,media=cdrom,format=raw|false",
        "sata2|local:iso/debian.iso,media=cdrom,snapshot=1|false",
        "sata2|local:iso/debian.iso,media=cdrom,snapshot=0|true",
        "virtio2|local:iso/debian.iso,media=cdrom|false"
      })
  void aCdromParseDriveRefuses(String key, String value, boolean read) throws Exception {
    VmConfig config = VmConfigParser.parse(FILE, key + ": " + value + "\n");
    assertEquals(List.of(), config.problems());
    assertEquals(read, config.disks().get(0).readByParseDrive());
  }
}
