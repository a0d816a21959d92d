package dev.guesthook.host.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.MacAddress;
import dev.guesthook.id.PciAddress;
import dev.guesthook.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code ip link set DEV vf N mac|vlan|qos|spoofchk|trust|state ...} and {@code ip [-j] link show
 * DEV} for the VFs of an SR-IOV PF: the settings netlink would keep in the PF driver, kept in
 * {@code /.simulator/vf-links/<pf>}. Exit codes and messages follow iproute2: an unknown device is
 * exit 1 {@code Cannot find device}, a VF the PF does not have exit 2 {@code RTNETLINK answers:
 * Invalid argument}.
 */
final class IpLinkModel {
  private static final ObjectMapper JSON = Json.MAPPER;
  private final Sysfs sysfs;

  IpLinkModel(Sysfs sysfs) {
    this.sysfs = sysfs;
  }

  static HostPath stateFile(PciAddress pf) {
    return Sysfs.PRIVATE.resolve("vf-links", pf.value());
  }

  /** One VF's link settings; a fresh VF has no MAC, no VLAN, spoof checking on, trust off. */
  record VfLink(String mac, int vlan, int qos, boolean spoofchk, boolean trust, String state) {
    static VfLink fresh() {
      return new VfLink(MacAddress.NONE.value(), 0, 0, true, false, "auto");
    }

    String line(int vf) {
      return vf + " " + mac + " " + vlan + " " + qos + " " + spoofchk + " " + trust + " " + state;
    }

    static VfLink parse(String[] f) {
      return new VfLink(
          f[1],
          Integer.parseInt(f[2]),
          Integer.parseInt(f[3]),
          Boolean.parseBoolean(f[4]),
          Boolean.parseBoolean(f[5]),
          f[6]);
    }
  }

  CommandResult run(List<String> argv) {
    List<String> args = new ArrayList<>(argv.subList(1, argv.size()));
    boolean json = args.remove("-j") | args.remove("-json");
    args.remove("-d");
    if (args.size() < 3 || !args.get(0).equals("link")) {
      return usage();
    }
    args.remove("dev");
    String verb = args.get(1);
    Optional<PciAddress> pf = physicalFunction(args.get(2));
    if (pf.isEmpty()) {
      // iproute2 words it differently for show and for set.
      return CommandResult.ran(
          1,
          verb.equals("show")
              ? "Device \"" + args.get(2) + "\" does not exist.\n"
              : "Cannot find device \"" + args.get(2) + "\"\n");
    }
    return switch (verb) {
      case "set" -> set(pf.get(), args.subList(3, args.size()));
      case "show" -> show(args.get(2), pf.get(), json);
      default -> usage();
    };
  }

  private CommandResult set(PciAddress pf, List<String> args) {
    if (args.size() < 2 || !args.get(0).equals("vf")) {
      return usage();
    }
    int vf;
    try {
      vf = Integer.parseInt(args.get(1));
    } catch (NumberFormatException e) {
      return CommandResult.ran(255, "Invalid \"vf\" value\n");
    }
    Map<Integer, VfLink> links = load(pf);
    if (vf < 0 || vf >= links.size()) {
      return refused("Invalid argument");
    }
    VfLink link = links.get(vf);
    for (int i = 2; i < args.size(); i += 2) {
      if (i + 1 >= args.size()) {
        return CommandResult.ran(255, "Command line is not complete. Try option \"help\"\n");
      }
      String key = args.get(i);
      String value = args.get(i + 1);
      try {
        link =
            switch (key) {
              case "mac" ->
                  new VfLink(
                      MacAddress.parse(value).value(),
                      link.vlan(),
                      link.qos(),
                      link.spoofchk(),
                      link.trust(),
                      link.state());
              case "vlan" ->
                  new VfLink(
                      link.mac(),
                      vlan(value),
                      link.qos(),
                      link.spoofchk(),
                      link.trust(),
                      link.state());
              case "qos" ->
                  new VfLink(
                      link.mac(),
                      link.vlan(),
                      qos(value),
                      link.spoofchk(),
                      link.trust(),
                      link.state());
              case "proto" -> protocol(value, link);
              case "spoofchk" ->
                  new VfLink(
                      link.mac(),
                      link.vlan(),
                      link.qos(),
                      onOff(value),
                      link.trust(),
                      link.state());
              case "trust" ->
                  new VfLink(
                      link.mac(),
                      link.vlan(),
                      link.qos(),
                      link.spoofchk(),
                      onOff(value),
                      link.state());
              case "state" ->
                  new VfLink(
                      link.mac(),
                      link.vlan(),
                      link.qos(),
                      link.spoofchk(),
                      link.trust(),
                      state(value));
              default -> throw new Invalid(key, "unknown vf option");
            };
      } catch (Invalid e) {
        return CommandResult.ran(255, e.getMessage() + "\n");
      } catch (Refused e) {
        return refused(e.getMessage());
      } catch (IllegalArgumentException e) {
        // A MAC address MacAddress refuses (multicast, malformed) is the kernel's EINVAL.
        return refused("Invalid argument");
      }
    }
    links.put(vf, link);
    save(pf, links);
    return CommandResult.ran(0, "");
  }

  private CommandResult show(String name, PciAddress pf, boolean json) {
    Map<Integer, VfLink> links = load(pf);
    if (!json) {
      StringBuilder out =
          new StringBuilder("2: " + name + ": <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n");
      links.forEach(
          (vf, l) ->
              out.append(
                  String.format(
                      "    vf %d     link/ether %s brd ff:ff:ff:ff:ff:ff%s, spoof checking %s, link-state %s, trust %s%n",
                      vf,
                      l.mac(),
                      l.vlan() == 0 ? "" : ", vlan " + l.vlan(),
                      l.spoofchk() ? "on" : "off",
                      l.state(),
                      l.trust() ? "on" : "off")));
      return CommandResult.ran(0, out.toString());
    }
    ObjectNode dev =
        JSON.createObjectNode().put("ifname", name).put("mtu", 1500).put("link_type", "ether");
    ArrayNode vfs = dev.putArray("vfinfo_list");
    links.forEach(
        (vf, l) -> {
          ObjectNode node =
              vfs.addObject()
                  .put("vf", vf)
                  .put("link_type", "ether")
                  .put("address", l.mac())
                  .put("broadcast", "ff:ff:ff:ff:ff:ff");
          if (l.vlan() != 0) {
            node.putArray("vlan_list")
                .addObject()
                .put("vlan", l.vlan())
                .put("qos", l.qos())
                .put("protocol", "802.1Q");
          }
          node.put("spoofchk", l.spoofchk()).put("link_state", l.state()).put("trust", l.trust());
        });
    return CommandResult.ran(0, JSON.createArrayNode().add(dev) + "\n");
  }

  /** The PF behind an interface name: /sys/class/net/IF links into the PF's {@code net/} folder. */
  private Optional<PciAddress> physicalFunction(String name) {
    try {
      return sysfs
          .tree()
          .readLink(SysfsPaths.NET_CLASS.resolve(name))
          .map(dir -> new PciAddress(dir.parent().parent().name()))
          .filter(sysfs::hasDevice);
    } catch (IllegalArgumentException badName) {
      return Optional.empty();
    }
  }

  private Map<Integer, VfLink> load(PciAddress pf) {
    int count = Integer.parseInt(sysfs.attribute(pf, "sriov_numvfs"));
    Map<Integer, VfLink> links = new TreeMap<>();
    for (int vf = 0; vf < count; vf++) {
      links.put(vf, VfLink.fresh());
    }
    if (sysfs.tree().exists(stateFile(pf))) {
      for (String line : Sysfs.lines(sysfs.tree().read(stateFile(pf)))) {
        String[] f = line.split(" ");
        int vf = Integer.parseInt(f[0]);
        if (vf < count) {
          links.put(vf, VfLink.parse(f));
        }
      }
    }
    return links;
  }

  private void save(PciAddress pf, Map<Integer, VfLink> links) {
    if (links.values().stream().allMatch(VfLink.fresh()::equals)) {
      // Every VF as the driver made it: the same state as no file, so a restore leaves none behind.
      if (sysfs.tree().exists(stateFile(pf))) {
        sysfs.tree().delete(stateFile(pf));
      }
      return;
    }
    StringBuilder text = new StringBuilder();
    links.forEach((vf, link) -> text.append(link.line(vf)).append('\n'));
    sysfs.tree().createDirectories(stateFile(pf).parent());
    sysfs.tree().write(stateFile(pf), text.toString());
  }

  /** What iproute2 itself refuses before asking the kernel: exit 255 with its own message. */
  private static final class Invalid extends RuntimeException {
    Invalid(String argument, String why) {
      super("Error: argument \"" + argument + "\" is wrong: " + why, null, false, false);
    }
  }

  /** What the kernel refuses: exit 2 with netlink's strerror text. */
  private static final class Refused extends RuntimeException {
    Refused(String strerror) {
      super(strerror, null, false, false);
    }
  }

  private static CommandResult refused(String strerror) {
    return CommandResult.ran(2, "RTNETLINK answers: " + strerror + "\n");
  }

  /** iproute2 checks the VLAN id itself (exit 255); the kernel checks the priority (EINVAL). */
  private static int vlan(String value) {
    long vlan = unsigned(value, "vlan");
    if (vlan > 4095) {
      throw new Invalid(value, "Invalid \"vlan\" value");
    }
    return (int) vlan;
  }

  private static int qos(String value) {
    long qos = unsigned(value, "qos");
    if (qos > 7) {
      throw new Refused("Invalid argument");
    }
    return (int) qos;
  }

  /** 802.1Q is what every PF driver takes; igb and most others refuse 802.1ad (EPROTONOSUPPORT). */
  private static VfLink protocol(String value, VfLink link) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "802.1q" -> link;
      case "802.1ad" -> throw new Refused("Protocol not supported");
      default -> throw new Invalid(value, "protocol is invalid");
    };
  }

  private static long unsigned(String value, String what) {
    try {
      long number = Long.parseLong(value);
      if (number >= 0) {
        return number;
      }
    } catch (NumberFormatException e) {
      // Same answer as below.
    }
    throw new Invalid(value, "Invalid \"" + what + "\" value");
  }

  private static boolean onOff(String value) {
    return switch (value) {
      case "on" -> true;
      case "off" -> false;
      default -> throw new Invalid(value, "expected on or off");
    };
  }

  private static String state(String value) {
    if (!List.of("auto", "enable", "disable").contains(value)) {
      throw new Invalid(value, "expected auto, enable or disable");
    }
    return value;
  }

  private static CommandResult usage() {
    return CommandResult.ran(
        255, "Usage: ip link set DEVICE vf NUM [ mac LLADDR ] [ vlan VLANID ] ...\n");
  }
}
