package dev.guesthook.pve;

import dev.guesthook.id.Printable;
import dev.guesthook.pve.schema.PropertyFormat;
import dev.guesthook.pve.schema.QemuFormats;
import dev.guesthook.pve.schema.StorageId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A guest's configuration as Proxmox VE reads it: the current (top) section's keys in file order
 * and its description; the pending changes, snapshots and special sections; the problems Proxmox
 * would have warned about. Typed views ({@link #hostpci()}, {@link #disks()}, ...) fail naming file
 * and line. Read-only: guesthook never writes Proxmox's files.
 */
public final class VmConfig {
  private static final Pattern HOSTPCI_KEY = Pattern.compile("hostpci[0-9]{1,2}");

  /** One section's keys in file order, where each came from, and its description. */
  static final class Section {
    private final String name;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, Integer> lines = new LinkedHashMap<>();
    private final StringBuilder description = new StringBuilder();
    private final List<Map.Entry<String, String>> raw = new ArrayList<>();

    Section(String name) {
      this.name = name;
    }

    String name() {
      return name;
    }

    void put(String key, String value, int line) {
      values.remove(key); // the last occurrence decides the order too
      values.put(key, value);
      lines.put(key, line);
    }

    Integer lineOf(String key) {
      return lines.get(key);
    }

    void addRaw(String key, String value) {
      raw.add(Map.entry(key, value));
    }

    void addDescription(String text) {
      description.append(text);
    }

    Map<String, String> values() {
      return Collections.unmodifiableMap(values);
    }

    String description() {
      return description.toString().stripTrailing();
    }
  }

  private final String origin;
  private final String rawText;
  private final Section current;
  private final Section pending;
  private final Map<String, Section> snapshots;
  private final Map<String, Section> specials;
  private final List<String> problems;

  VmConfig(
      String origin,
      String rawText,
      Section current,
      Section pending,
      Map<String, Section> snapshots,
      Map<String, Section> specials,
      List<String> problems) {
    this.origin = origin;
    this.rawText = rawText;
    this.current = current;
    this.pending = pending == null ? new Section("pending") : pending;
    this.snapshots = Collections.unmodifiableMap(new LinkedHashMap<>(snapshots));
    this.specials = Collections.unmodifiableMap(new LinkedHashMap<>(specials));
    this.problems = List.copyOf(problems);
  }

  /** Where the config was read from, for messages. */
  public String origin() {
    return origin;
  }

  public String rawText() {
    return rawText;
  }

  /** The current configuration: the top section, keys in file order. */
  public Map<String, String> current() {
    return current.values();
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(current.values().get(key));
  }

  /** A container's raw {@code lxc.*} lines in file order (they may repeat). */
  public List<Map.Entry<String, String>> lxcRaw() {
    return List.copyOf(current.raw);
  }

  /** The {@code #} comment lines of the top section, decoded and joined by newlines. */
  public String description() {
    return current.description();
  }

  /**
   * Changes Proxmox will apply at the next start or hotplug; {@code delete} lists keys to be
   * removed.
   */
  public Map<String, String> pending() {
    return pending.values();
  }

  public List<String> pendingDeletes() {
    String delete = pending.values().get("delete");
    return delete == null ? List.of() : List.of(delete.split("[,;\\s]+"));
  }

  public Map<String, Map<String, String>> snapshots() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    snapshots.forEach((name, section) -> out.put(name, section.values()));
    return out;
  }

  /** {@code [special:cloudinit]} and {@code [special:fleecing]}. */
  public Map<String, Map<String, String>> specialSections() {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    specials.forEach((name, section) -> out.put(name, section.values()));
    return out;
  }

  /** What Proxmox would have warned about while reading, each as {@code file:line: message}. */
  public List<String> problems() {
    return problems;
  }

  public Optional<String> lock() {
    return get("lock");
  }

  public Optional<String> vmstate() {
    return get("vmstate");
  }

  public Optional<String> vmstateStorage() {
    return get("vmstatestorage");
  }

  public Optional<String> hookscript() {
    return get("hookscript");
  }

  public Optional<String> args() {
    return get("args");
  }

  /** Hibernated with {@code qm suspend --todisk}: the state volume is set and the lock says so. */
  public boolean isHibernated() {
    return vmstate().isPresent() && lock().filter("suspended"::equals).isPresent();
  }

  /** Tags as Proxmox stores them ({@code ;}-separated; commas and spaces accepted on input). */
  public List<String> tags() {
    return get("tags").map(t -> List.of(t.split("[;,\\s]+"))).orElse(List.of()).stream()
        .filter(tag -> !tag.isEmpty())
        .toList();
  }

  /**
   * Memory in MiB: {@code memory: 4096} or the newer {@code memory: current=4096}; 512 when unset.
   */
  public int memoryMiB() throws PveFileException {
    String current = formatted("memory", QemuFormats.MEMORY).getOrDefault("current", "512");
    try {
      return Math.toIntExact(
          Long.parseLong(current.startsWith("+") ? current.substring(1) : current));
    } catch (ArithmeticException | NumberFormatException e) {
      throw invalid(
          "memory", "'" + Printable.of(current) + "' MiB is more than guesthook can size");
    }
  }

  /**
   * {@code machine: [type=]<type>[,viommu=intel|virtio]}, as qemu-server's {@code $machine_fmt}.
   */
  public Machine machine() throws PveFileException {
    Map<String, String> options = formatted("machine", QemuFormats.MACHINE);
    return new Machine(
        Optional.ofNullable(options.get("type")), Optional.ofNullable(options.get("viommu")));
  }

  public record Machine(Optional<String> type, Optional<String> viommu) {
    public boolean isQ35() {
      return type.map(t -> t.contains("q35")).orElse(false);
    }
  }

  /** The {@code hostpciN} entries in index order. */
  public List<Hostpci> hostpci() throws PveFileException {
    List<Hostpci> out = new ArrayList<>();
    for (Map.Entry<String, String> entry : current().entrySet()) {
      if (HOSTPCI_KEY.matcher(entry.getKey()).matches()) {
        try {
          out.add(
              Hostpci.parse(
                  Integer.parseInt(entry.getKey().substring("hostpci".length())),
                  entry.getValue()));
        } catch (IllegalArgumentException e) {
          throw new PveFileException(
              origin + ":" + current.lineOf(entry.getKey()) + ": " + e.getMessage());
        }
      }
    }
    out.sort(Comparator.comparingInt(Hostpci::index));
    return out;
  }

  /**
   * Disks and drives ({@code ide}, {@code sata}, {@code scsi}, {@code virtio}, {@code efidisk0},
   * {@code tpmstate0}, {@code unused}).
   */
  public List<Disk> disks() throws PveFileException {
    List<Disk> out = new ArrayList<>();
    for (Map.Entry<String, String> entry : current().entrySet()) {
      if (QemuFormats.DRIVES.containsKey(entry.getKey())) {
        out.add(disk(entry.getKey()));
      }
    }
    return out;
  }

  /** A drive: the volume ({@code storage:name}, {@code none}, or a path) and its options. */
  public record Disk(
      String key, String volume, Optional<String> storage, Map<String, String> options) {
    /**
     * parse_drive's {@code ($option, $requires)} pairs (its {@code miops_*} ones name keys no
     * format has, so never apply).
     */
    private static final List<List<String>> REQUIREMENTS =
        List.of(
            List.of("mbps_max", "mbps"),
            List.of("mbps_rd_max", "mbps_rd"),
            List.of("mbps_wr_max", "mbps_wr"),
            List.of("bps_max_length", "mbps_max"),
            List.of("bps_rd_max_length", "mbps_rd_max"),
            List.of("bps_wr_max_length", "mbps_wr_max"),
            List.of("iops_max_length", "iops_max"),
            List.of("iops_rd_max_length", "iops_rd_max"),
            List.of("iops_wr_max_length", "iops_wr_max"));

    /**
     * parse_drive's pairs that may not both be set ({@code return if $res->{mbps_rd} &&
     * $res->{mbps}}).
     */
    private static final List<List<String>> EXCLUSIVE =
        List.of(
            List.of("mbps_rd", "mbps"),
            List.of("mbps_wr", "mbps"),
            List.of("iops_rd", "iops"),
            List.of("iops_wr", "iops"));

    public boolean isCdrom() {
      return "cdrom".equals(options.get("media"));
    }

    /**
     * {@code unusedN}: a volume the VM no longer uses (not among qemu-server's valid_drive_names).
     */
    public boolean isUnused() {
      return key.startsWith("unused");
    }

    /**
     * Whether qemu-server's {@code parse_drive} returns the drive, which it checks beyond the
     * format when the drive is used (foreach_volume, so find_vmstate_storage): {@code bpsX} is
     * turned into {@code mbpsX} (a true "0.000") unless both are given; the throttle requirements
     * and exclusions above; a cdrom with {@code snapshot} or {@code format}, or on virtio. Values
     * are tested for Perl truth. A drive it refuses is skipped without a word but a warning in the
     * task log.
     */
    public boolean readByParseDrive() {
      Map<String, String> res = new LinkedHashMap<>(options);
      for (String bps : List.of("bps", "bps_rd", "bps_wr")) {
        if (res.remove(bps) != null && res.putIfAbsent("m" + bps, "0.000") != null) {
          return false; // "both $opt and m$opt specified"
        }
      }
      boolean unmet =
          REQUIREMENTS.stream()
              .anyMatch(pair -> perlTrue(res, pair.get(0)) && !perlTrue(res, pair.get(1)));
      boolean clash =
          EXCLUSIVE.stream()
              .anyMatch(pair -> perlTrue(res, pair.get(0)) && perlTrue(res, pair.get(1)));
      boolean badCdrom =
          isCdrom()
              && (perlTrue(res, "snapshot") || perlTrue(res, "format") || key.startsWith("virtio"));
      return !unmet && !clash && !badCdrom;
    }

    /** Perl's truth of a value: set, and neither empty nor "0". */
    private static boolean perlTrue(Map<String, String> values, String key) {
      String value = values.get(key);
      return value != null && !value.isEmpty() && !value.equals("0");
    }
  }

  /**
   * A drive read by its Drive.pm format, as parse_drive reads it: {@code volume=} is {@code file=}.
   */
  private Disk disk(String key) throws PveFileException {
    Map<String, String> options = new LinkedHashMap<>(formatted(key, QemuFormats.DRIVES.get(key)));
    String volume = options.remove("file"); // required by every drive format, so present
    Optional<String> storage = Optional.empty();
    int colon = volume.indexOf(':');
    if (colon > 0 && !volume.startsWith("/")) {
      String id = volume.substring(0, colon);
      Optional<String> refusal = StorageId.refusal(id);
      if (refusal.isPresent()) {
        throw invalid(key, refusal.get());
      }
      storage = Optional.of(id);
    }
    return new Disk(key, volume, storage, Map.copyOf(options));
  }

  /** A key's value read by its qemu-server format (the parser has dropped values that fail it). */
  private Map<String, String> formatted(String key, PropertyFormat format) throws PveFileException {
    try {
      return format.parse(get(key).orElse(""));
    } catch (PropertyFormat.Invalid e) {
      throw invalid(key, e.getMessage());
    }
  }

  private PveFileException invalid(String key, String why) {
    return new PveFileException(origin + ":" + current.lineOf(key) + ": " + key + ": " + why);
  }
}
