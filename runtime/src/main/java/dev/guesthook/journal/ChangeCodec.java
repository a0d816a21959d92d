package dev.guesthook.journal;

import dev.guesthook.devices.Change;
import dev.guesthook.devices.VfLink;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link Change} as plain JSON values in the journal, and back (every value checked again when
 * read).
 */
final class ChangeCodec {
  private ChangeCodec() {}

  static Map<String, Object> toMap(Change change) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (change instanceof Change.MdevCreated c) {
      out.put("kind", "mdev-created");
      out.put("parent", c.parent().value());
      out.put("type", c.type().value());
      out.put("uuid", c.uuid().value());
    } else if (change instanceof Change.DriverChanged c) {
      out.put("kind", "driver-changed");
      out.put("address", c.address().value());
      out.put("previous", c.previous().map(DriverName::value).orElse(null));
    } else if (change instanceof Change.VfLinkChanged c) {
      out.put("kind", "vf-link-changed");
      out.put("pf", c.pf().value());
      out.put("index", c.index());
      out.put("vf", c.vf().value());
      out.put("previous", c.previous().toMap());
    } else if (change instanceof Change.VgpuTypeSet c) {
      out.put("kind", "vgpu-type-set");
      out.put("vf", c.vf().value());
      out.put("type", c.type());
    } else if (change instanceof Change.ResetMethodsChanged c) {
      out.put("kind", "reset-methods-changed");
      out.put("address", c.address().value());
      out.put("previous", c.previous());
    } else if (change instanceof Change.VfClaimed c) {
      out.put("kind", "vf-claimed");
      out.put("vf", c.vf().value());
    }
    return out;
  }

  static Change fromMap(Map<?, ?> map) {
    String kind = String.valueOf(map.get("kind"));
    return switch (kind) {
      case "mdev-created" ->
          new Change.MdevCreated(
              pci(map, "parent"), new MdevType(text(map, "type")), Uuid.parse(text(map, "uuid")));
      case "driver-changed" ->
          new Change.DriverChanged(
              pci(map, "address"),
              Optional.ofNullable(map.get("previous")).map(String::valueOf).map(DriverName::new));
      case "vf-link-changed" ->
          new Change.VfLinkChanged(
              pci(map, "pf"),
              number(map, "index"),
              pci(map, "vf"),
              VfLink.fromMap((Map<?, ?>) map.get("previous")));
      case "vgpu-type-set" -> new Change.VgpuTypeSet(pci(map, "vf"), number(map, "type"));
      case "vf-claimed" -> new Change.VfClaimed(pci(map, "vf"));
      case "reset-methods-changed" ->
          new Change.ResetMethodsChanged(pci(map, "address"), resetMethods(text(map, "previous")));
      default -> throw new IllegalArgumentException("unknown change kind '" + kind + "'");
    };
  }

  /** A reset_method list from the journal: the kernel's names only, as it will be written back. */
  private static String resetMethods(String list) {
    if (!list.matches("[a-z_]*( [a-z_]+)*") || list.length() > 100) {
      throw new IllegalArgumentException("not a reset_method list: '" + list + "'");
    }
    return list;
  }

  private static PciAddress pci(Map<?, ?> map, String key) {
    return PciAddress.parse(text(map, key));
  }

  private static String text(Map<?, ?> map, String key) {
    Object value = map.get(key);
    if (value == null) {
      throw new IllegalArgumentException("missing '" + key + "'");
    }
    return String.valueOf(value);
  }

  private static int number(Map<?, ?> map, String key) {
    if (!(map.get(key) instanceof Number n)) {
      throw new IllegalArgumentException("'" + key + "' is not a number");
    }
    return n.intValue();
  }
}
