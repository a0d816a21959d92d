package dev.guesthook.pve.schema;

import static dev.guesthook.pve.schema.PropertyFormat.Property.bool;
import static dev.guesthook.pve.schema.PropertyFormat.Property.integer;
import static dev.guesthook.pve.schema.PropertyFormat.Property.string;
import static java.util.Map.entry;

import dev.guesthook.pve.schema.PropertyFormat.NamedFormat;
import dev.guesthook.pve.schema.PropertyFormat.Property;
import dev.guesthook.pve.schema.PropertyFormat.Type;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * qemu-server's property-string formats of the VM config keys guesthook reads, as data for the one
 * checker ({@link PropertyFormat}); parse_vm_config's check_type hands such a value to pve-common's
 * check_format, which refuses it with parse_property_string's "format error" and the key's reason.
 */
public final class QemuFormats {
  /** PVE::QemuServer::Machine's {@code $machine_fmt} ({@code pve-qemu-machine}). */
  public static final PropertyFormat MACHINE =
      new PropertyFormat(
          Map.ofEntries(
              entry(
                  "type",
                  string()
                      .matching(
                          "(pc|pc(-i440fx)?-\\d+(?:\\.\\d+)++(\\+pve\\d+)?(\\.pxe)?|q35"
                              + "|pc-q35-\\d+(?:\\.\\d+)++(\\+pve\\d+)?(\\.pxe)?|virt(?:-\\d+(?:\\.\\d+)++)?(\\+pve\\d+)?)")
                      .atMostCharacters(40)
                      .asDefaultKey()),
              entry("viommu", string().oneOf("intel", "virtio")),
              entry("aw-bits", Property.of(Type.NUMBER).between(32L, 64L)),
              entry("enable-s3", Property.of(Type.BOOLEAN)),
              entry("enable-s4", Property.of(Type.BOOLEAN))));

  /** PVE::QemuServer::Memory's {@code $memory_fmt}. */
  public static final PropertyFormat MEMORY =
      new PropertyFormat(Map.of("current", integer(16L, null).asDefaultKey().defaultingTo("512")));

  /**
   * qemu-server's {@code pve-volume-id-or-qm-path} ({@code verify_volume_id_or_qm_path}): {@code
   * none}, {@code cdrom}, anything starting with {@code /}, or a volume id.
   */
  static final NamedFormat VOLUME_ID_OR_QM_PATH =
      value ->
          value.equals("none") || value.equals("cdrom") || value.startsWith("/")
              ? Optional.empty()
              : PropertyFormat.VOLUME_ID.refusal(value);

  /** Drive.pm's {@code volume => { alias => 'file' }}, in every drive format. */
  private static final Map<String, String> VOLUME_ALIAS = Map.of("volume", "file");

  /** Drive.pm's {@code file} key: required (no {@code optional}), the default key. */
  private static Property file(NamedFormat format) {
    return string().inFormat(format).asDefaultKey().required();
  }

  private static final Property SIZE = string().inFormat(PropertyFormat.DISK_SIZE);

  /** pve-qm-image-format (Drive.pm). */
  private static final Property QEMU_IMAGE_FORMAT =
      string().oneOf("raw", "qcow", "qed", "qcow2", "vmdk", "cloop");

  /** Drive.pm's {@code %drivedesc_base} without its throttle keys. */
  private static final Map<String, Property> DRIVEDESC_BASE =
      Map.ofEntries(
          entry("file", file(VOLUME_ID_OR_QM_PATH)),
          entry("media", string().oneOf("cdrom", "disk").defaultingTo("disk")),
          entry("snapshot", Property.of(Type.BOOLEAN)),
          entry(
              "cache", string().oneOf("none", "writethrough", "writeback", "unsafe", "directsync")),
          entry("format", QEMU_IMAGE_FORMAT),
          entry("size", SIZE),
          entry("backup", Property.of(Type.BOOLEAN)),
          entry("replicate", bool(true)),
          entry("rerror", string().oneOf("ignore", "report", "stop")),
          entry("werror", string().oneOf("enospc", "ignore", "report", "stop")),
          entry("aio", string().oneOf("native", "threads", "io_uring")),
          entry("discard", string().oneOf("ignore", "on")),
          entry("detect_zeroes", Property.of(Type.BOOLEAN)),
          entry("serial", string().inFormat(PropertyFormat.URLENCODED).atMostCharacters(20 * 3)),
          entry("shared", bool(false)));

  /**
   * Drive.pm's {@code $add_throttle_desc} calls: byte and I/O rates are integers, megabyte rates
   * numbers, burst lengths integers of at least 1; none bounded otherwise.
   */
  private static final Map<String, Property> THROTTLE = throttle();

  /**
   * Drive.pm's legacy throttle names ({@code bps_rd_length => { alias => 'bps_rd_max_length'
   * }}...).
   */
  private static final Map<String, String> THROTTLE_ALIASES =
      Map.of(
          "bps_rd_length",
          "bps_rd_max_length",
          "bps_wr_length",
          "bps_wr_max_length",
          "iops_rd_length",
          "iops_rd_max_length",
          "iops_wr_length",
          "iops_wr_max_length");

  private static final Map.Entry<String, Property> IOTHREAD =
      entry("iothread", Property.of(Type.BOOLEAN));

  /** {@code {,16}} is {@code {0,16}} in Perl 5.34 and later (Proxmox VE 9 runs 5.40). */
  private static final Map.Entry<String, Property> PRODUCT =
      entry("product", string().matching("[A-Za-z0-9\\-_\\s]{0,16}"));

  private static final Map.Entry<String, Property> VENDOR =
      entry("vendor", string().matching("[A-Za-z0-9\\-_\\s]{0,8}"));
  private static final Map.Entry<String, Property> MODEL =
      entry("model", string().inFormat(PropertyFormat.URLENCODED).atMostCharacters(40 * 3));
  private static final Map.Entry<String, Property> QUEUES = entry("queues", integer(2L, null));
  private static final Map.Entry<String, Property> READONLY =
      entry("ro", Property.of(Type.BOOLEAN));
  private static final Map.Entry<String, Property> SCSIBLOCK = entry("scsiblock", bool(false));
  private static final Map.Entry<String, Property> SSD = entry("ssd", Property.of(Type.BOOLEAN));

  /**
   * Upstream's {@code qr/^(0x)[0-9a-fA-F]{16}/} inside check_prop's {@code ^...$}: exactly 0x and
   * 16 digits.
   */
  private static final Map.Entry<String, Property> WWN =
      entry("wwn", string().matching("(0x)[0-9a-fA-F]{16}"));

  /** Drive.pm's {@code $ide_fmt} ({@code pve-qm-ide}, also {@code cdrom}'s format). */
  static final PropertyFormat IDE = driveFormat(MODEL, SSD, WWN);

  /** Drive.pm's {@code $scsi_fmt}. */
  static final PropertyFormat SCSI =
      driveFormat(IOTHREAD, PRODUCT, QUEUES, READONLY, SCSIBLOCK, SSD, VENDOR, WWN);

  /** Drive.pm's {@code $sata_fmt}. */
  static final PropertyFormat SATA = driveFormat(SSD, WWN);

  /** Drive.pm's {@code $virtio_fmt}. */
  static final PropertyFormat VIRTIO = driveFormat(IOTHREAD, READONLY);

  /** Drive.pm's {@code $efidisk_fmt} (with {@code %efitype_fmt}). */
  static final PropertyFormat EFIDISK =
      new PropertyFormat(
          Map.of(
              "file", file(VOLUME_ID_OR_QM_PATH),
              "format", QEMU_IMAGE_FORMAT,
              "size", SIZE,
              "efitype", string().oneOf("2m", "4m").defaultingTo("2m"),
              "pre-enrolled-keys", bool(false),
              "ms-cert", string().oneOf("2011", "2023", "2023w", "2023k").defaultingTo("2011")),
          VOLUME_ALIAS);

  /**
   * Drive.pm's {@code $tpmstate_fmt}; its {@code format} is pve-storage's {@code
   * pve-vm-image-format}.
   */
  static final PropertyFormat TPMSTATE =
      new PropertyFormat(
          Map.of(
              "file", file(VOLUME_ID_OR_QM_PATH),
              "format", string().oneOf("raw", "qcow2", "vmdk"),
              "size", SIZE,
              "version", string().oneOf("v1.2", "v2.0").defaultingTo("v1.2")),
          VOLUME_ALIAS);

  /** Drive.pm's {@code $unused_fmt}: a volume id only. */
  static final PropertyFormat UNUSED =
      new PropertyFormat(Map.of("file", file(PropertyFormat.VOLUME_ID)), VOLUME_ALIAS);

  /**
   * The drive keys of {@code $drivedesc_hash} (ide0-3, sata0-5, scsi0-30, virtio0-15, efidisk0,
   * tpmstate0, unused0-255) and qemu-server's {@code cdrom} ({@code pve-qm-ide}).
   */
  public static final Map<String, PropertyFormat> DRIVES = drives();

  /** The config keys whose values are these property strings. */
  public static final Map<String, PropertyFormat> BY_KEY = byKey();

  @SafeVarargs
  private static PropertyFormat driveFormat(Map.Entry<String, Property>... extra) {
    Map<String, Property> properties = new HashMap<>(DRIVEDESC_BASE);
    properties.putAll(THROTTLE);
    for (Map.Entry<String, Property> property : extra) {
      properties.put(property.getKey(), property.getValue());
    }
    Map<String, String> aliases = new HashMap<>(THROTTLE_ALIASES);
    aliases.putAll(VOLUME_ALIAS);
    return new PropertyFormat(properties, aliases);
  }

  private static Map<String, Property> throttle() {
    Map<String, Property> keys = new HashMap<>();
    for (String key :
        new String[] {
          "bps",
          "bps_rd",
          "bps_wr",
          "iops",
          "iops_rd",
          "iops_wr",
          "iops_max",
          "iops_rd_max",
          "iops_wr_max"
        }) {
      keys.put(key, Property.of(Type.INTEGER));
    }
    for (String key :
        new String[] {"mbps", "mbps_rd", "mbps_wr", "mbps_max", "mbps_rd_max", "mbps_wr_max"}) {
      keys.put(key, Property.of(Type.NUMBER));
    }
    for (String key :
        new String[] {
          "bps_max_length",
          "bps_rd_max_length",
          "bps_wr_max_length",
          "iops_max_length",
          "iops_rd_max_length",
          "iops_wr_max_length"
        }) {
      keys.put(key, integer(1L, null));
    }
    return Map.copyOf(keys);
  }

  /** Drive.pm's loops up to {@code $MAX_IDE_DISKS} and the rest. */
  private static Map<String, PropertyFormat> drives() {
    Map<String, PropertyFormat> drives = new HashMap<>();
    numbered(drives, "ide", 4, IDE);
    numbered(drives, "sata", 6, SATA);
    numbered(drives, "scsi", 31, SCSI);
    numbered(drives, "virtio", 16, VIRTIO);
    numbered(drives, "unused", 256, UNUSED);
    drives.put("efidisk0", EFIDISK);
    drives.put("tpmstate0", TPMSTATE);
    drives.put("cdrom", IDE);
    return Map.copyOf(drives);
  }

  private static void numbered(
      Map<String, PropertyFormat> drives, String prefix, int count, PropertyFormat format) {
    for (int i = 0; i < count; i++) {
      drives.put(prefix + i, format);
    }
  }

  private static Map<String, PropertyFormat> byKey() {
    Map<String, PropertyFormat> formats = new HashMap<>(DRIVES);
    formats.put("machine", MACHINE);
    formats.put("memory", MEMORY);
    return Map.copyOf(formats);
  }

  private QemuFormats() {}
}
