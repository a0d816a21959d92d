package dev.guesthook.pve;

import dev.guesthook.host.HostFiles;
import dev.guesthook.host.HostPath;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * qemu-server's PCI reservations, {@code /run/qemu-server/pci-id-reservations}: which VM holds
 * which device, valid while its QEMU process lives ({@code pid:N}) or until a start deadline
 * ({@code time:T}).
 */
public final class PciReservations {
  static final HostPath FILE = HostPath.of("run", "qemu-server", "pci-id-reservations");

  /** qemu-server's {@code $PCIID_RESERVATION_LOCK}, taken around every change of the file. */
  static final HostPath LOCK = HostPath.of("run", "qemu-server", "pci-id-reservations.lock");

  private static final Pattern LINE =
      Pattern.compile(
          "([a-f0-9]{4,}:[a-f0-9]{2}:[a-f0-9]{2}\\.[a-f0-9]) ([0-9]+) (time|pid):([0-9]+)");

  private PciReservations() {}

  /**
   * The reservations that still hold now, read under qemu-server's lock; malformed lines are
   * skipped, as qemu-server skips them.
   */
  public static Map<PciAddress, VmId> active(HostFiles host, Instant now) {
    Map<PciAddress, VmId> out = new LinkedHashMap<>();
    if (!host.exists(FILE)) {
      return out;
    }
    for (String line : host.readLocked(FILE, LOCK).split("\n")) {
      Matcher m = LINE.matcher(line.strip());
      if (!m.matches()) {
        continue;
      }
      long value = Long.parseLong(m.group(4));
      boolean holds =
          m.group(3).equals("pid")
              ? host.exists(HostPath.of("proc", Long.toString(value)))
              : value > now.getEpochSecond();
      if (holds) {
        out.put(PciAddress.parse(m.group(1)), VmId.parse(m.group(2)));
      }
    }
    return out;
  }
}
