package dev.guesthook.pve;

import dev.guesthook.id.Printable;
import dev.guesthook.pve.schema.PropertyFormat;
import dev.guesthook.pve.schema.ProxmoxText;
import dev.guesthook.pve.schema.SectionConfigText;
import dev.guesthook.pve.schema.StorageId;
import dev.guesthook.pve.schema.StorageSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /etc/pve/storage.cfg} read as pve-storage reads it (PVE::SectionConfig and
 * PVE::Storage::Plugin): {@code type: id} headers, indented properties up to the first blank line,
 * {@code #} comments anywhere. A section with a bad id, an unknown type or a missing required
 * option is skipped with a problem naming file and line, as Proxmox skips it with a warning; {@code
 * local} is always the dir storage at /var/lib/vz; the always-shared types are shared.
 */
public final class StorageConfig {
  private static final Pattern HEADER = Pattern.compile("(\\S+):\\s*(\\S+)\\s*");

  /** Types pve-storage always treats as shared (Plugin.pm @SHARED_STORAGE). */
  static final Set<String> ALWAYS_SHARED =
      Set.of("iscsi", "nfs", "cifs", "rbd", "cephfs", "iscsidirect", "zfs", "drbd", "pbs");

  /** Types with a {@code path}, i.e. file based. */
  static final Set<String> FILE_BASED = Set.of("dir", "nfs", "cifs", "cephfs", "btrfs");

  /** Content a type has when {@code content} is not set. */
  static final Map<String, Set<String>> DEFAULT_CONTENT =
      Map.ofEntries(
          Map.entry("dir", Set.of("images", "rootdir")),
          Map.entry("btrfs", Set.of("images", "rootdir")),
          Map.entry("nfs", Set.of("images")),
          Map.entry("cifs", Set.of("images")),
          Map.entry("cephfs", Set.of("backup")),
          Map.entry("lvm", Set.of("images")),
          Map.entry("rbd", Set.of("images")),
          Map.entry("lvmthin", Set.of("images", "rootdir")),
          Map.entry("zfspool", Set.of("images", "rootdir")),
          Map.entry("zfs", Set.of("images")),
          Map.entry("iscsi", Set.of("images")),
          Map.entry("iscsidirect", Set.of("images")),
          Map.entry("pbs", Set.of("backup")),
          Map.entry("esxi", Set.of("import")));

  private final Map<String, Storage> storages;
  private final List<String> problems;

  private StorageConfig(Map<String, Storage> storages, List<String> problems) {
    this.storages = storages;
    this.problems = List.copyOf(problems);
  }

  public Optional<Storage> get(String id) {
    return Optional.ofNullable(storages.get(id));
  }

  public Map<String, Storage> storages() {
    return storages;
  }

  /** What Proxmox would have warned about, as {@code file:line: message}. */
  public List<String> problems() {
    return problems;
  }

  public static StorageConfig parse(String origin, String text) throws PveFileException {
    PveFileException.requireSize(origin, text, "file");
    Map<String, Storage> storages = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (SectionConfigText.Part part :
        SectionConfigText.read(text, line -> HEADER.matcher(line).matches())) {
      if (!(part instanceof SectionConfigText.Section lines)) {
        problems.add(SectionConfigText.ignoredWarning(origin, (SectionConfigText.Ignored) part));
        continue;
      }
      Matcher h = HEADER.matcher(lines.header());
      h.matches();
      Section section =
          new Section(
              h.group(1).toLowerCase(Locale.ROOT),
              h.group(2),
              lines.line(),
              origin + ":" + lines.line() + ": ");
      for (SectionConfigText.Property property : lines.properties()) {
        section.property(
            property.key(), property.value(), origin + ":" + property.line() + ": ", problems);
      }
      lines.ignored().forEach(line -> problems.add(SectionConfigText.ignoredWarning(origin, line)));
      finish(section, storages, problems);
    }
    ensureLocal(storages);
    return new StorageConfig(Collections.unmodifiableMap(storages), problems);
  }

  /** Without the file Proxmox knows one storage: local. */
  public static StorageConfig absent() {
    Map<String, Storage> storages = new LinkedHashMap<>();
    ensureLocal(storages);
    return new StorageConfig(storages, List.of());
  }

  private static void finish(
      Section section, Map<String, Storage> storages, List<String> problems) {
    Optional<String> skip = section.skipReason();
    if (skip.isPresent()) {
      problems.add(
          section.where + "skip section '" + Printable.of(section.id) + "': " + skip.get());
      if (section.headerRefusal().isEmpty() && storages.remove(section.id) != null) {
        // parse_config stores check_config's undef over an earlier section of the same id
        problems.add(
            section.where
                + "storage '"
                + section.id
                + "' was defined before; Proxmox now has no storage of that id");
      }
    } else {
      Storage before = storages.put(section.id, section.build());
      if (before != null) {
        problems.add(
            section.where
                + "storage '"
                + section.id
                + "' is defined again (first on line "
                + before.line()
                + "); the last one counts, as in Proxmox");
      }
    }
  }

  /** pve-storage's parse_config: local is always dir /var/lib/vz, never restricted to nodes. */
  private static void ensureLocal(Map<String, Storage> storages) {
    Storage local = storages.get("local");
    if (local == null
        || !local.type().equals("dir")
        || !local.path().orElse("/var/lib/vz").equals("/var/lib/vz")) {
      storages.put(
          "local",
          new Storage(
              "local",
              "dir",
              Optional.of("/var/lib/vz"),
              false,
              false,
              Optional.empty(),
              Set.of("backup", "images", "iso", "rootdir", "snippets", "vztmpl"),
              Map.of("path", "/var/lib/vz"),
              0));
    } else {
      storages.put(
          "local",
          new Storage(
              "local",
              "dir",
              Optional.of("/var/lib/vz"),
              local.shared(),
              local.disabled(),
              Optional.empty(),
              local.content(),
              local.properties(),
              local.line()));
    }
  }

  /** A section being read. */
  private static final class Section {
    final String type;
    final String id;
    final int line;
    final String where;
    final Map<String, String> properties = new LinkedHashMap<>();

    Section(String type, String id, int line, String where) {
      this.type = type;
      this.id = id;
      this.line = line;
      this.where = where;
    }

    void property(String key, String value, String at, List<String> problems) {
      if (headerRefusal().isPresent()) {
        return; // upstream reads no property of a section it skips for its header
      }
      if (properties.containsKey(key)) {
        problems.add(
            at
                + "section '"
                + id
                + "' - unable to parse value of '"
                + key
                + "': duplicate attribute");
        return;
      }
      Optional<String> refusal =
          lineRefusal(value).or(() -> StorageSchema.refusal(type, key, value));
      if (refusal.isPresent()) {
        problems.add(
            at
                + "section '"
                + id
                + "' - unable to parse value of '"
                + Printable.of(key)
                + "': "
                + refusal.get());
        return;
      }
      properties.put(key, StorageSchema.normalized(key, value));
      if (key.equals("content")) {
        StorageSchema.unsupportedContent(type, value)
            .forEach(
                unsupported ->
                    problems.add(
                        at
                            + "section '"
                            + id
                            + "' - storage does not support content type '"
                            + Printable.of(unsupported)
                            + "'; left out"));
      }
    }

    /**
     * check_value's "line feed" (a {@code \r} left inside the value); any other control character
     * is refused too, though Proxmox would take it: no Proxmox tool writes one, and a value goes on
     * to paths and messages.
     */
    private static Optional<String> lineRefusal(String value) {
      if (value.indexOf('\r') >= 0) {
        return Optional.of("property contains a line feed");
      }
      return ProxmoxText.hasControlCharacter(value)
          ? Optional.of("control character in '" + Printable.of(value) + "'")
          : Optional.empty();
    }

    Optional<String> skipReason() {
      return headerRefusal().or(this::contentRefusal).or(this::missingRequired);
    }

    /** SectionConfig's parse_config skips a section whose id or type its header refuses. */
    Optional<String> headerRefusal() {
      return StorageId.refusal(id)
          .or(
              () ->
                  StorageSchema.isType(type)
                      ? Optional.empty()
                      : Optional.of("unsupported type '" + Printable.of(type) + "'"));
    }

    /**
     * check_config's decode_value of {@code content} (Plugin::decode_value), before the required
     * options.
     */
    private Optional<String> contentRefusal() {
      return Optional.ofNullable(properties.get("content"))
          .flatMap(value -> StorageSchema.contentRefusal(type, value));
    }

    /** SectionConfig's check_config: every option that is not optional must be there. */
    private Optional<String> missingRequired() {
      return StorageSchema.required(type).stream()
          .filter(key -> !properties.containsKey(key))
          .findFirst()
          .map(key -> "missing value for required option '" + key + "'");
    }

    Storage build() {
      boolean shared = ALWAYS_SHARED.contains(type) || isTrue(properties.get("shared"));
      Set<String> content =
          properties.containsKey("content")
              ? StorageSchema.supportedContent(type, properties.get("content"))
              : DEFAULT_CONTENT.get(type);
      Optional<Set<String>> nodes =
          Optional.ofNullable(properties.get("nodes"))
              .map(PropertyFormat::splitList)
              .map(Set::copyOf);
      return new Storage(
          id,
          type,
          Optional.ofNullable(properties.get("path")).filter(p -> FILE_BASED.contains(type)),
          shared,
          isTrue(properties.get("disable")),
          nodes,
          content,
          Map.copyOf(properties),
          line);
    }

    /** After check_value a boolean is 1 or 0. */
    private static boolean isTrue(String value) {
      return "1".equals(value);
    }
  }
}
