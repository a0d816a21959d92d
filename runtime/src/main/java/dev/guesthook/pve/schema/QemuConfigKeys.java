package dev.guesthook.pve.schema;

import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys of qemu-server's {@code $confdesc} (9.2.6, cloud-init's included): check_type dies with
 * "unknown setting" for any other, and parse_vm_config leaves the line out. {@code args}, {@code
 * description} and {@code delete} have lines of their own and never reach check_type.
 */
public final class QemuConfigKeys {
  private static final Set<String> PLAIN =
      Set.of(
          "acpi",
          "affinity",
          "agent",
          "allow-ksm",
          "amd-sev",
          "arch",
          "args",
          "audio0",
          "autostart",
          "balloon",
          "bios",
          "boot",
          "bootdisk",
          "cdrom",
          "cicustom",
          "cipassword",
          "citype",
          "ciupgrade",
          "ciuser",
          "cores",
          "cpu",
          "cpulimit",
          "cpuunits",
          "description",
          "freeze",
          "hookscript",
          "hotplug",
          "hugepages",
          "intel-tdx",
          "ivshmem",
          "keephugepages",
          "keyboard",
          "kvm",
          "localtime",
          "lock",
          "machine",
          "memory",
          "meta",
          "migrate_downtime",
          "migrate_speed",
          "name",
          "nameserver",
          "numa",
          "onboot",
          "ostype",
          "parent",
          "protection",
          "reboot",
          "rng0",
          "running-nets-host-mtu",
          "runningcpu",
          "runningmachine",
          "scsihw",
          "searchdomain",
          "shares",
          "smbios1",
          "smp",
          "snaptime",
          "sockets",
          "spice_enhancements",
          "sshkeys",
          "startdate",
          "startup",
          "tablet",
          "tags",
          "tdf",
          "template",
          "vcpus",
          "vga",
          "vmgenid",
          "vmstate",
          "vmstatestorage",
          "watchdog");

  /**
   * The numbered families and how many each has ($MAX_NUMA, max_virtiofs, $MAX_NETS, ...); drives
   * are QemuFormats'.
   */
  private static final Map<String, Integer> NUMBERED =
      Map.of(
          "numa",
          8,
          "virtiofs",
          10,
          "net",
          32,
          "ipconfig",
          32,
          "parallel",
          3,
          "serial",
          4,
          "hostpci",
          16,
          "usb",
          14);

  private static final Pattern FAMILY_AND_INDEX = Pattern.compile("([a-z]+)(0|[1-9]\\d{0,3})");

  private QemuConfigKeys() {}

  public static boolean known(String key) {
    if (PLAIN.contains(key) || QemuFormats.DRIVES.containsKey(key)) {
      return true;
    }
    Matcher numbered = FAMILY_AND_INDEX.matcher(key);
    return numbered.matches()
        && Integer.parseInt(numbered.group(2)) < NUMBERED.getOrDefault(numbered.group(1), 0);
  }
}
