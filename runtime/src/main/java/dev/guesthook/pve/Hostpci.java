package dev.guesthook.pve;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code hostpciN} entry: {@code [host=]ID[;ID...][,mapping=NAME][,mdev=TYPE][,pcie=1][,x-vga=1]...}.
 * An ID is a function ({@code 0000:01:00.0}, {@code 01:00.0}) or a whole slot ({@code 01:00}, all functions).
 */
public record Hostpci(int index, List<String> ids, Optional<String> mapping, Optional<String> mdev, Map<String, String> options) {
  private static final String SLOT = "([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}";
  /** The options of qemu-server's hostpci format. */
  private static final java.util.Set<String> OPTIONS = java.util.Set.of("mapping", "mdev", "pcie", "x-vga", "rombar",
      "romfile", "vendor-id", "device-id", "sub-vendor-id", "sub-device-id", "legacy-igd", "driver");

  /** The config's entries; a malformed one fails naming the config file and line. */
  public static List<Hostpci> of(VmConfig config) throws PveFileException {
    return config.hostpci();
  }

  public static Hostpci parse(int index, String value) {
    Map<String, String> options = new LinkedHashMap<>();
    List<String> ids = new ArrayList<>();
    for (String part : value.split(",")) {
      int eq = part.indexOf('=');
      if (eq < 0 || part.startsWith("host=")) {
        String hostIds = eq < 0 ? part : part.substring(eq + 1);
        for (String id : hostIds.split(";")) {
          String lower = id.toLowerCase(java.util.Locale.ROOT);
          if (!lower.matches(SLOT + "(\\.[0-7])?")) {
            throw new IllegalArgumentException("hostpci" + index + ": '" + Printable.of(id) + "' is not a PCI address or slot");
          }
          ids.add(lower.matches(SLOT) && lower.length() == 5 ? "0000:" + lower : lower.length() == 7 ? "0000:" + lower : lower);
        }
      } else {
        String key = part.substring(0, eq);
        if (!OPTIONS.contains(key)) {
          throw new IllegalArgumentException("hostpci" + index + ": unknown option '" + Printable.of(key) + "'");
        }
        options.put(key, part.substring(eq + 1));
      }
    }
    if (!ids.isEmpty() && options.containsKey("mapping")) {
      throw new IllegalArgumentException("hostpci" + index + ": Cannot set both 'host' and 'mapping'.");
    }
    if (ids.isEmpty() && !options.containsKey("mapping")) {
      throw new IllegalArgumentException("hostpci" + index + ": Either 'host' or 'mapping' must be set.");
    }
    return new Hostpci(index, List.copyOf(ids), Optional.ofNullable(options.get("mapping")),
        Optional.ofNullable(options.get("mdev")), Map.copyOf(options));
  }

  public boolean pcie() {
    return "1".equals(options.get("pcie"));
  }

  public boolean xVga() {
    return "1".equals(options.get("x-vga"));
  }

  /** {@code rombar=0} hides the option ROM; on by default. */
  public boolean rombar() {
    return !"0".equals(options.get("rombar"));
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
