package dev.guesthook.id;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A UUID in the RFC 4122 text form, lower case; names mediated device instances. */
public record Uuid(String value) {
  private static final Pattern FORM =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final Pattern PROXMOX = Pattern.compile("([0-9]{8})-0000-0000-0000-([0-9]{12})");

  public Uuid {
    Ids.require(FORM, value, "UUID", "the form 8-4-4-4-12 hex digits");
  }

  public static Uuid parse(String text) {
    return new Uuid(text == null ? null : text.toLowerCase(Locale.ROOT));
  }

  public static Uuid random() {
    return new Uuid(UUID.randomUUID().toString());
  }

  /**
   * The instance Proxmox makes for {@code hostpci<index>} of a VM: qemu-server's {@code
   * generate_mdev_uuid} is {@code sprintf("%08d-0000-0000-0000-%012d", $index, $vmid)}.
   */
  public static Uuid proxmox(VmId vmid, int index) {
    if (index < 0 || index > 99_999_999) {
      throw new IllegalArgumentException("mdev index " + index + " out of range 0..99999999");
    }
    return new Uuid(String.format("%08d-0000-0000-0000-%012d", index, vmid.value()));
  }

  /** The VM and index this UUID was made for, when it follows the Proxmox scheme. */
  public Optional<Owner> proxmoxOwner() {
    Matcher m = PROXMOX.matcher(value);
    if (!m.matches()) {
      return Optional.empty();
    }
    long vmid = Long.parseLong(m.group(2));
    if (vmid < VmId.MIN || vmid > VmId.MAX) {
      return Optional.empty();
    }
    return Optional.of(new Owner(new VmId((int) vmid), Integer.parseInt(m.group(1))));
  }

  /** Which VM's which device slot an instance belongs to. */
  public record Owner(VmId vmid, int index) {}

  @Override
  public String toString() {
    return value;
  }
}
