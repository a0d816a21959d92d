package dev.guesthook.pve;

import static dev.guesthook.pve.schema.PropertyFormat.Property.bool;
import static dev.guesthook.pve.schema.PropertyFormat.Property.string;
import static java.util.Map.entry;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import dev.guesthook.pve.schema.PropertyFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code hostpciN} entry: {@code
 * [host=]ID[;ID...][,mapping=NAME][,mdev=TYPE][,pcie=1][,x-vga=1]...}. An ID is a function ({@code
 * 0000:01:00.0}, {@code 01:00.0}) or a whole slot ({@code 01:00}, all functions).
 */
public record Hostpci(
    int index,
    List<String> ids,
    Optional<String> mapping,
    Optional<String> mdev,
    Map<String, String> options) {
  /** qemu-server's {@code $PCIRE} (PVE::QemuServer::PCI). */
  private static final String PCI_ID = "(?:[a-f0-9]{4,}:)?[a-f0-9]{2}:[a-f0-9]{2}(?:\\.[a-f0-9])?";

  /** What guesthook can act on: a domain of 4 digits at most and a function of 0 to 7. */
  private static final String SUPPORTED_ID = "([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}(\\.[0-7])?";

  private static final String HEX_ID = "^0x[0-9a-fA-F]{4}$";

  /** qemu-server's {@code $hostpci_fmt}, key by key. */
  public static final PropertyFormat FORMAT =
      new PropertyFormat(
          Map.ofEntries(
              entry("host", string().matchingList(PCI_ID, ';', 0).asDefaultKey()),
              entry("mapping", string().configIdFormat()),
              entry("rombar", bool(true)),
              entry("romfile", string().matching("[^,;]+")),
              entry("pcie", bool(false)),
              entry("x-vga", bool(false)),
              entry("legacy-igd", bool(false)),
              entry("mdev", string().matching("[^/\\.:]+")),
              entry("vendor-id", string().matching(HEX_ID)),
              entry("device-id", string().matching(HEX_ID)),
              entry("sub-vendor-id", string().matching(HEX_ID)),
              entry("sub-device-id", string().matching(HEX_ID)),
              entry("driver", string().oneOf("vfio", "keep").defaultingTo("vfio"))));

  /** The config's entries; a malformed one fails naming the config file and line. */
  public static List<Hostpci> of(VmConfig config) throws PveFileException {
    return config.hostpci();
  }

  /**
   * Reads a value as qemu-server does: {@link PropertyFormat.Invalid} (pve-common's message) where
   * it would skip the line when reading the config; IllegalArgumentException where its start would
   * fail or guesthook cannot act on the address.
   */
  public static Hostpci parse(int index, String value) {
    Map<String, String> options = new LinkedHashMap<>(FORMAT.parse(value));
    String host = options.remove("host");
    // parse_hostpci's checks, made when the VM starts
    if (host != null && options.containsKey("mapping")) {
      throw new IllegalArgumentException(
          "hostpci" + index + ": Proxmox refuses the start: Cannot set both 'host' and 'mapping'.");
    }
    if (host == null && !options.containsKey("mapping")) {
      throw new IllegalArgumentException(
          "hostpci"
              + index
              + ": Proxmox refuses the start: Either 'host' or 'mapping' must be set.");
    }
    List<String> ids = host == null ? List.of() : ids(index, host);
    return new Hostpci(
        index,
        ids,
        Optional.ofNullable(options.get("mapping")),
        Optional.ofNullable(options.get("mdev")),
        Map.copyOf(options));
  }

  /** The {@code ;}-separated IDs, with the domain {@code 0000} added where it is left out. */
  private static List<String> ids(int index, String host) {
    Set<String> ids = new LinkedHashSet<>();
    for (String id : host.split(";")) {
      if (!id.matches(SUPPORTED_ID)) {
        throw new IllegalArgumentException(
            "hostpci"
                + index
                + ": guesthook cannot act on '"
                + Printable.of(id)
                + "' (a domain of more than 4 digits, or a function above 7), which Proxmox reads");
      }
      String full = id.length() == 5 || id.length() == 7 ? "0000:" + id : id;
      if (!ids.add(full)) {
        // choose_hostpci_devices' refusal, known here already: no hook acts for a start Proxmox
        // will refuse
        throw new IllegalArgumentException(
            "hostpci"
                + index
                + ": Proxmox refuses the start: device '"
                + full
                + "' assigned more than once");
      }
    }
    return List.copyOf(ids);
  }

  public boolean pcie() {
    return flag("pcie");
  }

  public boolean xVga() {
    return flag("x-vga");
  }

  /** {@code rombar=0} hides the option ROM; on by default. */
  public boolean rombar() {
    return flag("rombar");
  }

  /** A boolean option as given, else its default in the format. */
  private boolean flag(String key) {
    return "1"
        .equals(
            Optional.ofNullable(options.get(key))
                .or(() -> FORMAT.property(key).flatMap(PropertyFormat.Property::defaultValue))
                .orElse(""));
  }

  /** The functions named directly (a slot names none here: ask the host for its functions). */
  public List<PciAddress> functions() {
    return ids.stream().filter(id -> id.contains(".")).map(PciAddress::parse).toList();
  }

  /** Slots given without a function, e.g. {@code 0000:01:00} for a GPU and its audio function. */
  public List<String> slots() {
    return ids.stream().filter(id -> !id.contains(".")).toList();
  }
}
