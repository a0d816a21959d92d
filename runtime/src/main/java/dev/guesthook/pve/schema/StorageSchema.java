package dev.guesthook.pve.schema;

import dev.guesthook.id.Printable;
import dev.guesthook.pve.schema.PropertyFormat.NamedFormat;
import dev.guesthook.pve.schema.PropertyFormat.Property;
import dev.guesthook.pve.schema.PropertyFormat.Type;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * pve-storage's schema as data: which options each storage type takes (each plugin's {@code
 * options()}, required unless marked optional) and what each option's value must be (the plugins'
 * {@code properties()}). SectionConfig's {@code check_value} drops a value that fails here with
 * "unable to parse value of 'key': ..."; this class gives that reason in Proxmox's words, checked
 * by {@link Property#refusal}, the same check_prop as the VM config's property strings. Options
 * whose format guesthook does not check are plain strings.
 */
public final class StorageSchema {
  private static final Property BOOLEAN = Property.of(Type.BOOLEAN);
  private static final Property PATH = Property.string().inFormat(PropertyFormat.STORAGE_PATH);

  /** Plugin::parse_lvm_name, the {@code pve-storage-vgname} format. */
  private static final Property LVM_NAME =
      Property.string()
          .inFormat(
              PropertyFormat.matchingFormat(
                  Pattern.compile("[a-z0-9][a-z0-9\\-_.]*[a-z0-9]", Pattern.CASE_INSENSITIVE),
                  "lvm name '%s' contains illegal characters"));

  /**
   * Every content type pve-storage knows: the dir plugin's (it has all), as Plugin::verify_content
   * has it.
   */
  private static final Set<String> CONTENT_TYPES =
      Set.of("images", "rootdir", "vztmpl", "iso", "backup", "snippets", "none", "import");

  /** Plugin::verify_content, the {@code pve-storage-content} format. */
  private static final NamedFormat CONTENT =
      value ->
          CONTENT_TYPES.contains(value)
              ? Optional.empty()
              : Optional.of("invalid content type '" + Printable.of(value) + "'");

  /** Plugin.pm's and the plugins' boolean properties. */
  private static final List<String> BOOLEANS =
      List.of(
          "disable",
          "shared",
          "snapshot-as-volume-chain",
          "mkdir",
          "create-base-path",
          "create-subdirs",
          "nocow",
          "fuse",
          "skip-cert-verification",
          "saferemove",
          "krbd",
          "nowritecache",
          "sparse");

  /**
   * Plugin.pm's and the plugins' other properties whose values guesthook checks; all others are
   * strings.
   */
  private static final Map<String, Property> PROPERTIES =
      withBooleans(
          Map.ofEntries(
              Map.entry("max-protected-backups", Property.integer(-1L, null)),
              Map.entry("port", Property.integer(1L, 65535L)),
              Map.entry(
                  "saferemove-stepsize",
                  Property.of(Type.INTEGER).oneOf("1", "2", "4", "8", "16", "32")),
              Map.entry(
                  "preallocation", Property.string().oneOf("off", "metadata", "falloc", "full")),
              Map.entry(
                  "smbversion",
                  Property.string().oneOf("default", "2.0", "2.1", "3", "3.0", "3.11")),
              Map.entry("path", PATH),
              Map.entry("subdir", PATH),
              Map.entry("export", PATH),
              Map.entry("zfs-base-path", PATH),
              Map.entry("mountpoint", PATH),
              Map.entry("server", Property.string().inFormat(ServerAddress.SERVER)),
              Map.entry("portal", Property.string().inFormat(ServerAddress.PORTAL)),
              Map.entry("vgname", LVM_NAME),
              Map.entry("thinpool", LVM_NAME),
              Map.entry("content", Property.string().inFormat(PropertyFormat.listOf(CONTENT))),
              Map.entry(
                  "nodes",
                  Property.string().inFormat(PropertyFormat.listOf(PropertyFormat.NODE)))));

  /**
   * Each plugin's {@code plugindata->{content}[0]}: the content types a storage of that type can
   * hold.
   */
  private static final Map<String, Set<String>> SUPPORTED_CONTENT =
      Map.ofEntries(
          Map.entry("dir", CONTENT_TYPES),
          Map.entry("btrfs", CONTENT_TYPES),
          Map.entry(
              "nfs", Set.of("images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import")),
          Map.entry(
              "cifs", Set.of("images", "rootdir", "vztmpl", "iso", "backup", "snippets", "import")),
          Map.entry("cephfs", Set.of("vztmpl", "iso", "backup", "snippets", "import")),
          Map.entry("esxi", Set.of("import")),
          Map.entry("iscsi", Set.of("images", "none")),
          Map.entry("iscsidirect", Set.of("images", "none")),
          Map.entry("lvm", Set.of("images", "rootdir")),
          Map.entry("lvmthin", Set.of("images", "rootdir")),
          Map.entry("pbs", Set.of("backup", "none")),
          Map.entry("rbd", Set.of("images", "rootdir")),
          Map.entry("zfs", Set.of("images")),
          Map.entry("zfspool", Set.of("images", "rootdir")));

  /** Each plugin's options(): the required ones, then the optional ones. */
  private record Options(Set<String> required, Set<String> optional) {
    boolean allows(String key) {
      return required.contains(key) || optional.contains(key);
    }
  }

  private static final Map<String, Options> TYPES =
      Map.ofEntries(
          Map.entry(
              "dir",
              new Options(
                  Set.of("path"),
                  Set.of(
                      "content-dirs",
                      "nodes",
                      "shared",
                      "disable",
                      "prune-backups",
                      "max-protected-backups",
                      "content",
                      "format",
                      "mkdir",
                      "create-base-path",
                      "create-subdirs",
                      "bwlimit",
                      "preallocation",
                      "snapshot-as-volume-chain"))),
          Map.entry(
              "btrfs",
              new Options(
                  Set.of("path"),
                  Set.of(
                      "nodes",
                      "shared",
                      "disable",
                      "prune-backups",
                      "max-protected-backups",
                      "content",
                      "format",
                      "nocow",
                      "mkdir",
                      "create-base-path",
                      "create-subdirs",
                      "preallocation"))),
          Map.entry(
              "cifs",
              new Options(
                  Set.of("path", "server", "share"),
                  Set.of(
                      "content-dirs",
                      "subdir",
                      "nodes",
                      "disable",
                      "prune-backups",
                      "max-protected-backups",
                      "content",
                      "format",
                      "username",
                      "password",
                      "domain",
                      "smbversion",
                      "mkdir",
                      "create-base-path",
                      "create-subdirs",
                      "bwlimit",
                      "preallocation",
                      "options",
                      "snapshot-as-volume-chain"))),
          Map.entry(
              "cephfs",
              new Options(
                  Set.of("path"),
                  Set.of(
                      "content-dirs",
                      "monhost",
                      "nodes",
                      "subdir",
                      "disable",
                      "options",
                      "username",
                      "content",
                      "format",
                      "mkdir",
                      "create-base-path",
                      "create-subdirs",
                      "fuse",
                      "bwlimit",
                      "keyring",
                      "prune-backups",
                      "max-protected-backups",
                      "fs-name"))),
          Map.entry(
              "esxi",
              new Options(
                  Set.of("server", "username"),
                  Set.of(
                      "nodes",
                      "shared",
                      "disable",
                      "content",
                      "password",
                      "skip-cert-verification",
                      "port"))),
          Map.entry(
              "iscsidirect",
              new Options(
                  Set.of("portal", "target"), Set.of("nodes", "disable", "content", "bwlimit"))),
          Map.entry(
              "iscsi",
              new Options(
                  Set.of("portal", "target"), Set.of("nodes", "disable", "content", "bwlimit"))),
          Map.entry(
              "lvm",
              new Options(
                  Set.of("vgname"),
                  Set.of(
                      "nodes",
                      "shared",
                      "disable",
                      "saferemove",
                      "saferemove-stepsize",
                      "content",
                      "base",
                      "bwlimit",
                      "snapshot-as-volume-chain"))),
          Map.entry(
              "lvmthin",
              new Options(
                  Set.of("thinpool", "vgname"), Set.of("nodes", "disable", "content", "bwlimit"))),
          Map.entry(
              "nfs",
              new Options(
                  Set.of("path", "server", "export"),
                  Set.of(
                      "content-dirs",
                      "nodes",
                      "disable",
                      "prune-backups",
                      "max-protected-backups",
                      "options",
                      "content",
                      "format",
                      "mkdir",
                      "create-base-path",
                      "create-subdirs",
                      "bwlimit",
                      "preallocation",
                      "snapshot-as-volume-chain"))),
          Map.entry(
              "pbs",
              new Options(
                  Set.of("server", "datastore"),
                  Set.of(
                      "namespace",
                      "port",
                      "nodes",
                      "disable",
                      "content",
                      "username",
                      "password",
                      "encryption-key",
                      "master-pubkey",
                      "prune-backups",
                      "max-protected-backups",
                      "fingerprint"))),
          Map.entry(
              "rbd",
              new Options(
                  Set.of(),
                  Set.of(
                      "nodes",
                      "disable",
                      "monhost",
                      "pool",
                      "data-pool",
                      "namespace",
                      "username",
                      "content",
                      "krbd",
                      "keyring",
                      "bwlimit"))),
          Map.entry(
              "zfs",
              new Options(
                  Set.of("portal", "target", "pool", "blocksize", "iscsiprovider"),
                  Set.of(
                      "nodes",
                      "disable",
                      "nowritecache",
                      "sparse",
                      "content",
                      "bwlimit",
                      "zfs-base-path"))),
          Map.entry(
              "zfspool",
              new Options(
                  Set.of("pool"),
                  Set.of(
                      "blocksize",
                      "sparse",
                      "nodes",
                      "disable",
                      "content",
                      "bwlimit",
                      "mountpoint"))));

  private StorageSchema() {}

  public static boolean isType(String type) {
    return TYPES.containsKey(type);
  }

  /** Required options in a stable order, for check_config's "missing value for required option". */
  public static List<String> required(String type) {
    return TYPES.get(type).required().stream().sorted().toList();
  }

  /**
   * Why SectionConfig's check_value refuses {@code key value} in a section of {@code type}, in its
   * words; empty when it takes it. A boolean without a value is true, as check_value has it.
   */
  public static Optional<String> refusal(String type, String key, String value) {
    if (!TYPES.get(type).allows(key)) {
      return Optional.of("unexpected property '" + Printable.of(key) + "'");
    }
    Property property = property(key);
    if (value.isEmpty() && property.type() != Type.BOOLEAN) {
      return Optional.of("got undefined value");
    }
    return property.refusal(normalized(key, value));
  }

  /** The value as stored after check_value: a boolean without a value becomes 1. */
  public static String normalized(String key, String value) {
    return SectionConfigText.checkValueInput(property(key), value);
  }

  /** Plugin::decode_value for {@code content}: the listed types the storage's type supports. */
  public static Set<String> supportedContent(String type, String value) {
    Set<String> kept = new LinkedHashSet<>(PropertyFormat.splitList(value));
    kept.retainAll(SUPPORTED_CONTENT.get(type));
    return kept;
  }

  /** The listed types decode_value leaves out with "storage does not support content type". */
  public static List<String> unsupportedContent(String type, String value) {
    return PropertyFormat.splitList(value).stream()
        .filter(c -> !SUPPORTED_CONTENT.get(type).contains(c))
        .toList();
  }

  /** decode_value's refusals of a content list, for which check_config skips the whole section. */
  public static Optional<String> contentRefusal(String type, String value) {
    Set<String> kept = supportedContent(type, value);
    if (kept.contains("none") && kept.size() > 1) {
      return Optional.of("unable to combine 'none' with other content types");
    }
    if (kept.isEmpty() && !SUPPORTED_CONTENT.get(type).contains("none")) {
      return Optional.of("storage does not support content type 'none'");
    }
    return Optional.empty();
  }

  private static Map<String, Property> withBooleans(Map<String, Property> others) {
    Map<String, Property> all = new HashMap<>(others);
    BOOLEANS.forEach(key -> all.put(key, BOOLEAN));
    return Map.copyOf(all);
  }

  private static Property property(String key) {
    return PROPERTIES.getOrDefault(key, Property.string());
  }
}
