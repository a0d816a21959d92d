package dev.guesthook.pve;

import static dev.guesthook.pve.PropertyFormat.Property.integer;
import static dev.guesthook.pve.PropertyFormat.Property.string;
import static java.util.Map.entry;

import dev.guesthook.pve.PropertyFormat.Property;
import dev.guesthook.pve.PropertyFormat.Type;
import java.util.Map;

/**
 * qemu-server's property-string formats of the VM config keys guesthook reads, as data for the one
 * checker ({@link PropertyFormat}); parse_vm_config's check_type hands such a value to pve-common's
 * check_format, which refuses it with parse_property_string's "format error" and the key's reason.
 */
final class QemuFormats {
  /** PVE::QemuServer::Machine's {@code $machine_fmt} ({@code pve-qemu-machine}). */
  static final PropertyFormat MACHINE = new PropertyFormat(Map.ofEntries(
      entry("type", string().matching("(pc|pc(-i440fx)?-\\d+(\\.\\d+)+(\\+pve\\d+)?(\\.pxe)?|q35"
          + "|pc-q35-\\d+(\\.\\d+)+(\\+pve\\d+)?(\\.pxe)?|virt(?:-\\d+(\\.\\d+)+)?(\\+pve\\d+)?)")
          .atMostCharacters(40).asDefaultKey()),
      entry("viommu", string().oneOf("intel", "virtio")),
      entry("aw-bits", Property.of(Type.NUMBER).between(32L, 64L)),
      entry("enable-s3", Property.of(Type.BOOLEAN)),
      entry("enable-s4", Property.of(Type.BOOLEAN))));

  /** PVE::QemuServer::Memory's {@code $memory_fmt}. */
  static final PropertyFormat MEMORY = new PropertyFormat(Map.of(
      "current", integer(16L, null).asDefaultKey().defaultingTo("512")));

  /** The config keys whose values are these property strings. */
  static final Map<String, PropertyFormat> BY_KEY = Map.of("machine", MACHINE, "memory", MEMORY);

  private QemuFormats() {}
}
