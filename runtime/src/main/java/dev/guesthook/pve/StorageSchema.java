package dev.guesthook.pve;

import dev.guesthook.id.Printable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * pve-storage's schema as data: which options each storage type takes (each plugin's
 * {@code options()}, required unless marked optional) and what each option's value must be (the
 * plugins' {@code properties()}). SectionConfig's {@code check_value} drops a value that fails here
 * with "unable to parse value of 'key': ..."; this class gives that reason in Proxmox's words.
 * Options whose format guesthook does not check (server names, content lists, ...) are plain strings.
 */
final class StorageSchema {
  /** A value's type as JSONSchema's {@code check_prop} checks a string read from the file. */
  enum ValueType { BOOLEAN, INTEGER, PATH, STRING }

  /** One property: its type, its enumeration (empty: any), its integer bounds (null: none). */
  record Property(ValueType type, List<String> enumeration, Long minimum, Long maximum) {
    static Property of(ValueType type) {
      return new Property(type, List.of(), null, null);
    }

    static Property oneOf(ValueType type, String... values) {
      return new Property(type, List.of(values), null, null);
    }

    static Property integer(Long minimum, Long maximum) {
      return new Property(ValueType.INTEGER, List.of(), minimum, maximum);
    }
  }

  /** pve-storage's verify_path (format pve-storage-path): absolute, unanchored at the end as upstream. */
  private static final Pattern STORAGE_PATH = Pattern.compile("^/[^;()]");
  /** JSONSchema's is_integer. */
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

  /** Plugin.pm's and the plugins' properties whose values guesthook checks; all others are strings. */
  private static final Map<String, Property> PROPERTIES = Map.ofEntries(
      Map.entry("disable", Property.of(ValueType.BOOLEAN)),
      Map.entry("shared", Property.of(ValueType.BOOLEAN)),
      Map.entry("snapshot-as-volume-chain", Property.of(ValueType.BOOLEAN)),
      Map.entry("mkdir", Property.of(ValueType.BOOLEAN)),
      Map.entry("create-base-path", Property.of(ValueType.BOOLEAN)),
      Map.entry("create-subdirs", Property.of(ValueType.BOOLEAN)),
      Map.entry("nocow", Property.of(ValueType.BOOLEAN)),
      Map.entry("fuse", Property.of(ValueType.BOOLEAN)),
      Map.entry("skip-cert-verification", Property.of(ValueType.BOOLEAN)),
      Map.entry("saferemove", Property.of(ValueType.BOOLEAN)),
      Map.entry("krbd", Property.of(ValueType.BOOLEAN)),
      Map.entry("nowritecache", Property.of(ValueType.BOOLEAN)),
      Map.entry("sparse", Property.of(ValueType.BOOLEAN)),
      Map.entry("max-protected-backups", Property.integer(-1L, null)),
      Map.entry("port", Property.integer(1L, 65535L)),
      Map.entry("saferemove-stepsize", Property.oneOf(ValueType.INTEGER, "1", "2", "4", "8", "16", "32")),
      Map.entry("preallocation", Property.oneOf(ValueType.STRING, "off", "metadata", "falloc", "full")),
      Map.entry("smbversion", Property.oneOf(ValueType.STRING, "default", "2.0", "2.1", "3", "3.0", "3.11")),
      Map.entry("path", Property.of(ValueType.PATH)),
      Map.entry("subdir", Property.of(ValueType.PATH)),
      Map.entry("export", Property.of(ValueType.PATH)),
      Map.entry("zfs-base-path", Property.of(ValueType.PATH)),
      Map.entry("mountpoint", Property.of(ValueType.PATH)));

  /** Each plugin's options(): the required ones, then the optional ones. */
  private record Options(Set<String> required, Set<String> optional) {
    boolean allows(String key) {
      return required.contains(key) || optional.contains(key);
    }
  }

  private static final Map<String, Options> TYPES = Map.ofEntries(
      Map.entry("dir", new Options(Set.of("path"), Set.of("content-dirs", "nodes", "shared", "disable",
          "prune-backups", "max-protected-backups", "content", "format", "mkdir", "create-base-path", "create-subdirs",
          "bwlimit", "preallocation", "snapshot-as-volume-chain"))),
      Map.entry("btrfs", new Options(Set.of("path"), Set.of("nodes", "shared", "disable", "prune-backups",
          "max-protected-backups", "content", "format", "nocow", "mkdir", "create-base-path", "create-subdirs",
          "preallocation"))),
      Map.entry("cifs", new Options(Set.of("path", "server", "share"), Set.of("content-dirs", "subdir", "nodes",
          "disable", "prune-backups", "max-protected-backups", "content", "format", "username", "password", "domain",
          "smbversion", "mkdir", "create-base-path", "create-subdirs", "bwlimit", "preallocation", "options",
          "snapshot-as-volume-chain"))),
      Map.entry("cephfs", new Options(Set.of("path"), Set.of("content-dirs", "monhost", "nodes", "subdir", "disable",
          "options", "username", "content", "format", "mkdir", "create-base-path", "create-subdirs", "fuse", "bwlimit",
          "keyring", "prune-backups", "max-protected-backups", "fs-name"))),
      Map.entry("esxi", new Options(Set.of("server", "username"), Set.of("nodes", "shared", "disable", "content",
          "password", "skip-cert-verification", "port"))),
      Map.entry("iscsidirect", new Options(Set.of("portal", "target"), Set.of("nodes", "disable", "content", "bwlimit"))),
      Map.entry("iscsi", new Options(Set.of("portal", "target"), Set.of("nodes", "disable", "content", "bwlimit"))),
      Map.entry("lvm", new Options(Set.of("vgname"), Set.of("nodes", "shared", "disable", "saferemove",
          "saferemove-stepsize", "content", "base", "bwlimit", "snapshot-as-volume-chain"))),
      Map.entry("lvmthin", new Options(Set.of("thinpool", "vgname"), Set.of("nodes", "disable", "content", "bwlimit"))),
      Map.entry("nfs", new Options(Set.of("path", "server", "export"), Set.of("content-dirs", "nodes", "disable",
          "prune-backups", "max-protected-backups", "options", "content", "format", "mkdir", "create-base-path",
          "create-subdirs", "bwlimit", "preallocation", "snapshot-as-volume-chain"))),
      Map.entry("pbs", new Options(Set.of("server", "datastore"), Set.of("namespace", "port", "nodes", "disable",
          "content", "username", "password", "encryption-key", "master-pubkey", "prune-backups", "max-protected-backups",
          "fingerprint"))),
      Map.entry("rbd", new Options(Set.of(), Set.of("nodes", "disable", "monhost", "pool", "data-pool", "namespace",
          "username", "content", "krbd", "keyring", "bwlimit"))),
      Map.entry("zfs", new Options(Set.of("portal", "target", "pool", "blocksize", "iscsiprovider"), Set.of("nodes",
          "disable", "nowritecache", "sparse", "content", "bwlimit", "zfs-base-path"))),
      Map.entry("zfspool", new Options(Set.of("pool"), Set.of("blocksize", "sparse", "nodes", "disable", "content",
          "bwlimit", "mountpoint"))));

  private StorageSchema() {}

  static boolean isType(String type) {
    return TYPES.containsKey(type);
  }

  /** Required options in a stable order, for check_config's "missing value for required option". */
  static List<String> required(String type) {
    return TYPES.get(type).required().stream().sorted().toList();
  }

  /**
   * Why SectionConfig's check_value refuses {@code key value} in a section of {@code type}, in its
   * words; empty when it takes it. A boolean without a value is true, as check_value has it.
   */
  static Optional<String> refusal(String type, String key, String value) {
    if (!TYPES.get(type).allows(key)) {
      return Optional.of("unexpected property '" + Printable.of(key) + "'");
    }
    Property property = PROPERTIES.getOrDefault(key, Property.of(ValueType.STRING));
    if (value.isEmpty() && property.type() != ValueType.BOOLEAN) {
      return Optional.of("got undefined value");
    }
    return typeRefusal(property.type(), value).or(() -> rangeRefusal(property, value));
  }

  /** The value as stored after check_value: a boolean without a value becomes 1. */
  static String normalized(String key, String value) {
    boolean bool = PROPERTIES.getOrDefault(key, Property.of(ValueType.STRING)).type() == ValueType.BOOLEAN;
    return bool && value.isEmpty() ? "1" : value;
  }

  /** check_prop's type and format checks; a boolean read from a file must be exactly 1 or 0 there. */
  private static Optional<String> typeRefusal(ValueType type, String value) {
    return switch (type) {
      case BOOLEAN -> value.isEmpty() || value.equals("1") || value.equals("0") ? Optional.empty()
          : Optional.of("type check ('boolean') failed - got '" + Printable.of(value) + "'");
      case INTEGER -> INTEGER.matcher(value).matches() ? Optional.empty()
          : Optional.of("type check ('integer') failed - got '" + Printable.of(value) + "'");
      case PATH -> STORAGE_PATH.matcher(value).find() ? Optional.empty()
          : Optional.of("invalid format - value does not look like a valid absolute path");
      case STRING -> Optional.empty();
    };
  }

  /** check_prop's minimum, maximum and enumeration checks, in that order. */
  private static Optional<String> rangeRefusal(Property property, String value) {
    if (property.type() == ValueType.INTEGER) {
      long number = parseLong(value);
      if (property.maximum() != null && number > property.maximum()) {
        return Optional.of("value must have a maximum value of " + property.maximum());
      }
      if (property.minimum() != null && number < property.minimum()) {
        return Optional.of("value must have a minimum value of " + property.minimum());
      }
    }
    if (!property.enumeration().isEmpty() && !property.enumeration().contains(value)) {
      return Optional.of("value '" + Printable.of(value) + "' does not have a value in the enumeration '"
          + String.join(", ", property.enumeration()) + "'");
    }
    return Optional.empty();
  }

  /** Perl compares numbers; a value past long's range is clamped, which keeps the comparison's answer. */
  private static long parseLong(String value) {
    try {
      return Long.parseLong(value.startsWith("+") ? value.substring(1) : value);
    } catch (NumberFormatException e) {
      return value.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
