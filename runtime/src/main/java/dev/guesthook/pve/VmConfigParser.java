package dev.guesthook.pve;

import dev.guesthook.id.Printable;
import dev.guesthook.pve.schema.PropertyFormat;
import dev.guesthook.pve.schema.ProxmoxText;
import dev.guesthook.pve.schema.QemuConfigKeys;
import dev.guesthook.pve.schema.QemuFormats;
import dev.guesthook.pve.schema.StorageId;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a guest config as qemu-server's {@code parse_vm_config} does. The top section is the
 * current config; {@code [PENDING]}, {@code [special:cloudinit|fleecing]} and {@code [snapname]}
 * open the other sections; a later duplicate section replaces the earlier one; unknown sections are
 * skipped to the next header; {@code #} lines (URL-decoded) are the section's description. Where
 * Proxmox warns and goes on (a line it cannot parse, a value of the wrong type, a duplicate), the
 * line is left out and a problem naming file and line is recorded; {@link #parseStrict} fails on
 * the first one, as Proxmox does in strict mode. A key qemu-server's schema does not have is such a
 * line ("unknown setting").
 */
public final class VmConfigParser {
  private static final Pattern PENDING =
      Pattern.compile("\\[PENDING\\]\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern SPECIAL =
      Pattern.compile("\\[special:(cloudinit|fleecing)\\]\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern SNAPSHOT =
      Pattern.compile("\\[([a-z][a-z0-9_\\-]+)\\]\\s*", Pattern.CASE_INSENSITIVE);
  private static final Pattern OTHER_SECTION = Pattern.compile("\\[([^\\]]*)\\]\\s*");
  // Values are taken whole and stripped afterwards: patterns like (.*\S)\s* backtrack quadratically
  // over a long run of blanks, and a config is read before every start.
  // DOTALL: Perl's . takes every character but \n (Java's stops at \r, \u0085, \u2028 and \u2029).
  private static final Pattern DESCRIPTION =
      Pattern.compile("description:(.*\\S.*)", Pattern.DOTALL);
  private static final Pattern ARGS = Pattern.compile("args:(.*\\S.*)", Pattern.DOTALL);
  private static final Pattern DELETE = Pattern.compile("delete:(.*\\S.*)", Pattern.DOTALL);

  /**
   * Unanchored at the start, as in parse_vm_config: {@code hostpci0: ...,romfile=snapstate:delete}
   * is this line.
   */
  private static final Pattern SNAPSTATE = Pattern.compile("snapstate:\\s*(prepare|delete)\\s*\\z");

  // No lazy group before a trailing \s*: that backtracks quadratically over a long run of spaces.
  // The value's trailing whitespace is stripped after matching instead.
  private static final Pattern KEY_VALUE =
      Pattern.compile("([a-z][a-z_\\-]*\\d*):(.+)", Pattern.DOTALL);

  /**
   * pve-container's raw LXC keys, which may repeat: {@code lxc.cgroup2.devices.allow: c 226:* rwm}.
   */
  private static final Pattern HOSTPCI_KEY = Pattern.compile("hostpci\\d+");

  private static final Pattern LXC_RAW =
      Pattern.compile("(lxc\\.[a-z0-9_\\-.]+)(:|\\s*=)\\s*(.*)", Pattern.DOTALL);

  /**
   * Keys of format {@code pve-volume-id} (pve-storage's Plugin::parse_volume_id) that guesthook
   * reads.
   */
  private static final List<String> VOLUME_ID_KEYS = List.of("vmstate", "hookscript");

  /**
   * $confdesc's strings without a format (qemu-server 9.2.6; {@code args} and {@code description}
   * have lines of their own): check_type strips {@code ^"(.*)"$} from these.
   */
  private static final Set<String> UNFORMATTED_STRINGS =
      Set.of(
          "lock",
          "keyboard",
          "scsihw",
          "ostype",
          "hugepages",
          "startdate",
          "runningcpu",
          "running-nets-host-mtu",
          "bios",
          "vmgenid",
          "citype",
          "ciuser",
          "cipassword",
          "searchdomain");

  /** $paralleldesc and $serialdesc: a pattern, but no format. */
  private static final Pattern SERIAL_OR_PARALLEL = Pattern.compile("serial[0-3]|parallel[0-2]");

  private static final Pattern QUOTED = Pattern.compile("\"(.*)\"", Pattern.DOTALL);

  /** Scalar keys of qemu-server's schema ($confdesc) that Proxmox type-checks on every read. */
  private static final Map<String, PropertyFormat.Type> SCALAR_TYPES = scalarTypes();

  private VmConfigParser() {}

  /** As Proxmox reads a config to start a guest: problems are recorded and their lines left out. */
  public static VmConfig parse(String origin, String text) throws PveFileException {
    return new Reader(origin, text, false).read();
  }

  /** As Proxmox's strict mode: the first problem fails the whole file. */
  public static VmConfig parseStrict(String origin, String text) throws PveFileException {
    return new Reader(origin, text, true).read();
  }

  /** One pass over a file; the state of the section being read. */
  private static final class Reader {
    private final String origin;
    private final String text;
    private final boolean strict;

    /** A container config (pve-container): raw lxc.* keys, and no qemu type checks. */
    private final boolean container;

    private final List<String> problems = new ArrayList<>();
    private final VmConfig.Section current = new VmConfig.Section("");
    private final Map<String, VmConfig.Section> snapshots = new LinkedHashMap<>();
    private final Map<String, VmConfig.Section> specials = new LinkedHashMap<>();
    private VmConfig.Section pending;
    private VmConfig.Section section = current;
    private String sectionKind = "main";
    private int lineNumber;

    Reader(String origin, String text, boolean strict) {
      this.origin = origin;
      this.text = text;
      this.strict = strict;
      this.container = origin.contains("/lxc/");
    }

    VmConfig read() throws PveFileException {
      PveFileException.requireSize(origin, text, "config");
      for (String line : text.split("\n", -1)) {
        lineNumber++;
        if (!ProxmoxText.isPerlBlank(line)) {
          line(line);
        }
      }
      return new VmConfig(origin, text, current, pending, snapshots, specials, problems);
    }

    private void line(String line) throws PveFileException {
      if (ProxmoxText.hasControlCharacter(
          ProxmoxText.stripTrailingPerlSpace(line))) { // \s*$ takes a CRLF's \r
        problem("control character in '" + Printable.of(line) + "'");
        return;
      }
      if (header(line)) {
        return;
      }
      if (section == null) {
        return; // inside an unknown section: Proxmox skips it to the next header
      }
      if (line.startsWith("#")) {
        section.addDescription(decodeText(line.substring(1)) + "\n");
        return;
      }
      Matcher m;
      if ((m = DESCRIPTION.matcher(line)).matches()) {
        section.addDescription(decodeText(ProxmoxText.stripPerlSpace(m.group(1))));
      } else if (!container && (m = SNAPSTATE.matcher(line)).find()) {
        snapstate(m.group(1));
      } else if ((m = ARGS.matcher(line)).matches()) {
        put("args", ProxmoxText.stripPerlSpace(m.group(1)));
      } else if ((m = DELETE.matcher(line)).matches()) {
        if (section == pending) {
          put("delete", ProxmoxText.stripPerlSpace(m.group(1)));
        } else {
          problem("property 'delete' is only allowed in [PENDING]");
        }
      } else if (container && (m = LXC_RAW.matcher(line)).matches()) {
        section.addRaw(m.group(1), ProxmoxText.stripTrailingPerlSpace(m.group(3)));
      } else if ((m = KEY_VALUE.matcher(line)).matches()) {
        keyValue(
            m.group(1),
            ProxmoxText.stripPerlSpace(
                m.group(2))); // "boot: " is a key with a blank value, as upstream reads it
      } else {
        problem("unable to parse config: " + Printable.of(line));
      }
    }

    /**
     * parse_vm_config sets {@code snapstate} from any line ending so, whatever its key, and deletes
     * it from the current config at the end: in the top section the line is gone without a word.
     */
    private void snapstate(String value) throws PveFileException {
      if (section != current) {
        put("snapstate", value);
      }
    }

    private boolean header(String line) throws PveFileException {
      Matcher m;
      if (PENDING.matcher(line).matches()) {
        if (pending != null) {
          problem("duplicate section: pending");
        }
        open(pending = new VmConfig.Section("pending"), "pending");
      } else if ((m = SPECIAL.matcher(line)).matches()) {
        String name = m.group(1).toLowerCase(Locale.ROOT);
        if (specials.containsKey(name)) {
          problem("duplicate special section: " + name);
        }
        VmConfig.Section special = new VmConfig.Section(name);
        specials.put(name, special);
        open(special, "special");
      } else if ((m = SNAPSHOT.matcher(line)).matches()) {
        String name = m.group(1);
        if (snapshots.containsKey(name)) {
          problem("duplicate snapshot section: " + name);
        }
        VmConfig.Section snapshot = new VmConfig.Section(name);
        snapshots.put(name, snapshot);
        open(snapshot, "snapshot");
      } else if ((m = OTHER_SECTION.matcher(line)).matches()) {
        problem("skipping unknown section: '" + Printable.of(m.group(1)) + "'");
        open(null, "unknown");
      } else {
        return false;
      }
      return true;
    }

    private void open(VmConfig.Section next, String kind) {
      section = next;
      sectionKind = kind;
    }

    private void keyValue(String key, String value) throws PveFileException {
      if (sectionKind.equals("special") && section.name().equals("cloudinit")) {
        put(key, value); // Proxmox keeps these unchecked: they are informative
        return;
      }
      if (!container && !sectionKind.equals("special") && !QemuConfigKeys.known(key)) {
        problem("unable to parse value of '" + key + "' - unknown setting '" + key + "'");
        return; // check_type's first test: a typo such as 'memroy' is not memory to Proxmox either
      }
      PropertyFormat.Type type = container ? null : SCALAR_TYPES.get(key);
      String checked = type == null ? unquoted(key, value) : checkType(type, value);
      if (checked == null) {
        problem(
            "unable to parse value of '"
                + key
                + "' - type check ('"
                + type.schemaName()
                + "') failed - got '"
                + Printable.of(value)
                + "'");
        return;
      }
      Optional<String> refusal = container ? Optional.empty() : formatRefusal(key, checked);
      if (refusal.isPresent()) {
        problem("unable to parse value of '" + key + "'" + refusal.get());
        return; // as in Proxmox, the key is left out, and so is not weighed for the state storage
      }
      if (!container && HOSTPCI_KEY.matcher(key).matches() && !hostpciReadable(key, checked)) {
        return; // as in Proxmox, the device is left out
      }
      put(key.equals("cdrom") ? "ide2" : key, checked);
    }

    /**
     * check_type takes the quotes off a string whose schema names no format: {@code lock:
     * "suspended"} is a hibernated guest to Proxmox.
     */
    private String unquoted(String key, String value) {
      if (container
          || !(UNFORMATTED_STRINGS.contains(key) || SERIAL_OR_PARALLEL.matcher(key).matches())) {
        return value;
      }
      Matcher quoted = QUOTED.matcher(value);
      return quoted.matches() ? quoted.group(1) : value;
    }

    /**
     * parse_vm_config's check_type for {@code vmstatestorage} (format pve-storage-id), {@code
     * vmstate} and {@code hookscript} (pve-volume-id), and the keys whose format is a property
     * string ({@link QemuFormats}: {@code machine}, {@code memory}, the drives, {@code unusedN},
     * {@code cdrom}). Its parse_drive/filename_to_volume_id branch never runs: a drive's schema
     * format is a hash, not a 'pve-qm-*' name, so a drive is read by check_format →
     * parse_property_string alone.
     */
    private static Optional<String> formatRefusal(String key, String value) {
      if (key.equals("vmstatestorage")) {
        return StorageId.refusal(value).map(why -> " - " + why);
      }
      if (VOLUME_ID_KEYS.contains(key)) {
        return PropertyFormat.VOLUME_ID.refusal(value).map(why -> " - " + why);
      }
      return Optional.ofNullable(QemuFormats.BY_KEY.get(key))
          .flatMap(format -> propertyStringRefusal(format, value));
    }

    /**
     * check_format of a property string: parse_property_string's message, as check_type passes it
     * on.
     */
    private static Optional<String> propertyStringRefusal(PropertyFormat format, String value) {
      try {
        format.parse(value);
        return Optional.empty();
      } catch (PropertyFormat.Invalid e) {
        return Optional.of(" - " + e.getMessage());
      }
    }

    /**
     * check_type's reading of {@code hostpciN}: a value must meet {@code $hostpci_fmt}
     * (pve-common's words). Values Proxmox reads but would refuse at start, or that guesthook
     * cannot act on, are left out too, in guesthook's words.
     */
    private boolean hostpciReadable(String key, String value) throws PveFileException {
      try {
        Hostpci.parse(Integer.parseInt(key.substring("hostpci".length())), value);
        return true;
      } catch (PropertyFormat.Invalid e) {
        problem("unable to parse value of '" + key + "' - " + e.getMessage());
      } catch (IllegalArgumentException e) {
        problem(e.getMessage());
      }
      return false;
    }

    private void put(String key, String value) throws PveFileException {
      Integer earlier = section.lineOf(key);
      if (earlier != null) {
        // Proxmox keeps the last one without a word; a hand-edited config deserves to hear of it.
        problem(
            "duplicate key '"
                + key
                + "' (also on line "
                + earlier
                + "); the last one counts, as in Proxmox");
      }
      section.put(key, value, lineNumber);
    }

    private void problem(String message) throws PveFileException {
      String located = origin + ":" + lineNumber + ": " + message;
      if (strict) {
        throw new PveFileException(located);
      }
      problems.add(located);
    }
  }

  /**
   * qemu-server's own {@code check_type} for a scalar key, not pve-common's: narrower than {@link
   * PropertyFormat.Type} (JSONSchema's is_integer/is_number take a sign, {@code 1.}, {@code .5} and
   * exponents; qemu-server takes digits, and for a number one optional {@code .digits}). An integer
   * is returned as Perl's {@code int($1)} prints it; a boolean as 1/0. Null when the check fails.
   */
  static String checkType(PropertyFormat.Type type, String value) {
    return switch (type) {
      case BOOLEAN -> PropertyFormat.parseBoolean(value).orElse(null);
      case INTEGER -> QEMU_INTEGER.matcher(value).matches() ? perlInt(value) : null;
      case NUMBER -> QEMU_NUMBER.matcher(value).matches() ? value : null;
      case STRING -> value;
    };
  }

  private static final Pattern QEMU_INTEGER = Pattern.compile("\\d+");
  private static final Pattern QEMU_NUMBER = Pattern.compile("\\d+(\\.\\d+)?");

  /**
   * The largest integer Perl keeps exact (an unsigned 64-bit IV); above it, a number is a double.
   */
  private static final BigInteger PERL_MAX_UV =
      BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /**
   * Perl's {@code int("007")} is {@code 7}; past 2^64-1 it is a double, printed as {@code %.15g}
   * ("1e+20").
   */
  static String perlInt(String digits) {
    BigInteger number = new BigInteger(digits);
    if (number.compareTo(PERL_MAX_UV) <= 0) {
      return number.toString();
    }
    BigDecimal rounded = new BigDecimal(number).round(new MathContext(15)).stripTrailingZeros();
    String mantissa = rounded.unscaledValue().toString();
    int exponent = mantissa.length() - 1 - rounded.scale();
    String fraction = mantissa.length() > 1 ? "." + mantissa.substring(1) : "";
    return mantissa.charAt(0) + fraction + "e+" + (exponent < 10 ? "0" : "") + exponent;
  }

  /** PVE::Tools::decode_text: %XX escapes, then UTF-8. */
  static String decodeText(String text) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] raw = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '%' && i + 2 < raw.length && isHex(raw[i + 1]) && isHex(raw[i + 2])) {
        bytes.write(Integer.parseInt(new String(raw, i + 1, 2, StandardCharsets.US_ASCII), 16));
        i += 2;
      } else {
        bytes.write(raw[i]);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean isHex(byte b) {
    return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
  }

  private static Map<String, PropertyFormat.Type> scalarTypes() {
    Map<String, PropertyFormat.Type> types = new HashMap<>();
    for (String key :
        List.of(
            "onboot",
            "autostart",
            "reboot",
            "numa",
            "keephugepages",
            "acpi",
            "kvm",
            "tdf",
            "localtime",
            "freeze",
            "template",
            "tablet",
            "protection",
            "allow-ksm")) {
      types.put(key, PropertyFormat.Type.BOOLEAN);
    }
    for (String key :
        List.of(
            "cpuunits",
            "balloon",
            "shares",
            "smp",
            "sockets",
            "cores",
            "vcpus",
            "migrate_speed",
            "snaptime")) {
      types.put(key, PropertyFormat.Type.INTEGER);
    }
    types.put("cpulimit", PropertyFormat.Type.NUMBER);
    types.put("migrate_downtime", PropertyFormat.Type.NUMBER);
    return Map.copyOf(types);
  }
}
