package dev.guesthook.testbed;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The conformance scenarios, over the test bed's devices (the simulator's twin is {@link
 * TestbedSandbox}): gh_mdev's three types sharing one 8-unit pool on pci-testdev, an igb PF (7 VFs
 * at offset 128, stride 2) with its netdev, and an e1000e handed over whole.
 */
final class Scenarios {
  static final String MDEV_PARENT = "/sys/bus/pci/devices/0000:00:02.0";
  static final String TYPES = MDEV_PARENT + "/mdev_supported_types";
  static final String MDEVS = "/sys/bus/mdev/devices";
  static final String PF = "/sys/bus/pci/devices/0000:01:00.0";
  static final String VF0 = "/sys/bus/pci/devices/0000:01:10.0";
  static final String NIC = "/sys/bus/pci/devices/0000:00:03.0";
  static final String PF_NETDEV = "eth0";
  static final String DRIVERS = "/sys/bus/pci/drivers";
  static final String PROBE = "/sys/bus/pci/drivers_probe";
  static final String UUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
  static final String UUID2 = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

  private Scenarios() {}

  static List<Scenario> all() {
    List<Scenario> all = new ArrayList<>();
    all.addAll(mdev());
    all.addAll(sriov());
    all.addAll(binding());
    all.addAll(vfLinks());
    all.addAll(reset());
    all.addAll(configSpace());
    return all;
  }

  /** gh_mdev's scenarios: what the mdev core does for any parent, then what its pool does. */
  static List<Scenario> mdev() {
    List<Scenario> all = new ArrayList<>(mdevCore(TYPES, "gh_mdev-1", "gh_mdev-2"));
    all.addAll(
        List.of(
            scenario(
                "mdev create: links, driver, pool",
                create("gh_mdev-1", UUID),
                link(MDEVS + "/" + UUID + "/mdev_type"),
                link(MDEVS + "/" + UUID + "/driver"),
                available()),
            scenario(
                "mdev types share one pool",
                create("gh_mdev-2", UUID),
                available(),
                create("gh_mdev-4", UUID2),
                available()),
            scenario(
                "mdev create when the pool is exhausted",
                create("gh_mdev-4", UUID),
                create("gh_mdev-4", UUID2),
                create("gh_mdev-1", "11111111-2222-3333-4444-555555555555"),
                ls(MDEVS),
                available()),
            scenario(
                "mdev remove gives the units back",
                create("gh_mdev-4", UUID),
                available(),
                write(MDEVS + "/" + UUID + "/remove", "1"),
                available()),
            scenario(
                "mdev has its own IOMMU group",
                create("gh_mdev-1", UUID),
                new Step.IommuGroupOf(MDEVS + "/" + UUID)),
            scenario(
                "mdev parent unbound: its mdevs and types go, a probe brings the types back",
                create("gh_mdev-1", UUID),
                write(DRIVERS + "/gh_mdev/unbind", "0000:00:02.0"),
                ls(MDEVS),
                exists(TYPES),
                write(PROBE, "0000:00:02.0"),
                link(MDEV_PARENT + "/driver"),
                ls(MDEVS),
                available())));
    return all;
  }

  /**
   * What the mdev core (drivers/vfio/mdev) answers whatever the parent: UUID parsing, duplicates,
   * {@code remove}. Run on gh_mdev and on the kernel's own mtty sample, they show that the test
   * bed's parent does not bend what the suite measures.
   */
  static List<Scenario> mdevCore(String types, String small, String big) {
    String remove = MDEVS + "/" + UUID + "/remove";
    return List.of(
        scenario(
            "mdev create, lower-case UUID",
            write(types + "/" + small + "/create", UUID),
            ls(MDEVS)),
        scenario(
            "mdev create, upper-case UUID is listed lower-cased",
            write(types + "/" + small + "/create", UUID.toUpperCase(Locale.ROOT)),
            ls(MDEVS),
            exists(MDEVS + "/" + UUID)),
        scenario(
            "mdev create, UUID with echo's newline",
            write(types + "/" + small + "/create", UUID + "\n"),
            ls(MDEVS)),
        scenario(
            "mdev create, malformed UUIDs",
            write(types + "/" + small + "/create", UUID.replace("-", "")),
            write(types + "/" + small + "/create", "{" + UUID + "}"),
            write(types + "/" + small + "/create", " " + UUID),
            write(types + "/" + small + "/create", "garbage"),
            write(types + "/" + small + "/create", ""),
            ls(MDEVS)),
        scenario(
            "mdev create, duplicate UUID on the same type",
            write(types + "/" + small + "/create", UUID),
            write(types + "/" + small + "/create", UUID),
            ls(MDEVS)),
        scenario(
            "mdev create, duplicate UUID on another type",
            write(types + "/" + small + "/create", UUID),
            write(types + "/" + big + "/create", UUID),
            ls(MDEVS)),
        scenario(
            "mdev create on a type the parent does not have",
            write(types + "/no-such-type/create", UUID),
            ls(MDEVS)),
        scenario(
            "mdev remove with 0, garbage, 1, then again",
            write(types + "/" + big + "/create", UUID),
            write(remove, "0"),
            ls(MDEVS),
            write(remove, "x"),
            ls(MDEVS),
            write(remove, "1"),
            ls(MDEVS),
            write(remove, "1")));
  }

  static List<Scenario> sriov() {
    String numvfs = PF + "/sriov_numvfs";
    return List.of(
        scenario(
            "sriov layout of the PF",
            read(PF + "/sriov_totalvfs"),
            read(PF + "/sriov_offset"),
            read(PF + "/sriov_stride"),
            read(PF + "/sriov_vf_device"),
            read(numvfs),
            read(PF + "/sriov_drivers_autoprobe")),
        scenario(
            "sriov_numvfs 0 -> 2: VFs, links, drivers, groups",
            write(numvfs, "2"),
            read(numvfs),
            ls(PF, "virtfn0", "virtfn1", "virtfn2"),
            link(PF + "/virtfn1"),
            link(VF0 + "/physfn"),
            link(VF0 + "/driver"),
            read(VF0 + "/device"),
            new Step.IommuGroupOf(VF0)),
        scenario(
            "sriov_numvfs N -> M is refused, N -> N is not",
            write(numvfs, "2"),
            write(numvfs, "3"),
            write(numvfs, "2"),
            write(numvfs, "2\n"),
            read(numvfs)),
        scenario(
            "sriov_numvfs above total or malformed",
            write(numvfs, "8"),
            write(numvfs, "abc"),
            write(numvfs, "-1"),
            write(numvfs, " 2"),
            write(numvfs, ""),
            read(numvfs)),
        scenario(
            "sriov_numvfs back to 0 removes the VFs",
            write(numvfs, "3"),
            write(numvfs, "0"),
            read(numvfs),
            exists(VF0),
            ls(PF, "virtfn0")),
        scenario(
            "sriov_drivers_autoprobe 0: VFs come up without a driver",
            write(PF + "/sriov_drivers_autoprobe", "0"),
            write(numvfs, "1"),
            link(VF0 + "/driver")),
        scenario(
            "sriov_numvfs on a PF bound to vfio-pci",
            write(PF + "/driver_override", "vfio-pci"),
            write(DRIVERS + "/igb/unbind", "0000:01:00.0"),
            write(PROBE, "0000:01:00.0"),
            link(PF + "/driver"),
            write(numvfs, "1"),
            read(numvfs)),
        scenario(
            "sriov: unbinding the PF driver drops the VFs",
            write(numvfs, "2"),
            write(DRIVERS + "/igb/unbind", "0000:01:00.0"),
            read(numvfs),
            exists(VF0),
            write(numvfs, "1")));
  }

  static List<Scenario> binding() {
    String override = NIC + "/driver_override";
    return List.of(
        scenario(
            "driver_override: empty write keeps it, a newline clears it",
            read(override),
            write(override, "vfio-pci"),
            read(override),
            write(override, ""),
            read(override),
            write(override, "\n"),
            read(override)),
        scenario(
            "driver_override alone does not rebind",
            write(override, "vfio-pci"),
            link(NIC + "/driver")),
        scenario(
            "rebind to vfio-pci: override, unbind, drivers_probe",
            write(override, "vfio-pci\n"),
            write(DRIVERS + "/e1000e/unbind", "0000:00:03.0"),
            link(NIC + "/driver"),
            write(PROBE, "0000:00:03.0"),
            link(NIC + "/driver"),
            new Step.IommuGroupOf(NIC)),
        scenario(
            "unbind from a driver the device is not bound to",
            write(DRIVERS + "/igb/unbind", "0000:00:03.0"),
            link(NIC + "/driver")),
        scenario(
            "bind to a driver the override does not name",
            write(override, "vfio-pci"),
            write(DRIVERS + "/e1000e/unbind", "0000:00:03.0"),
            write(DRIVERS + "/e1000e/bind", "0000:00:03.0"),
            link(NIC + "/driver")),
        scenario(
            "bind a device that is already bound",
            write(override, "vfio-pci"),
            write(DRIVERS + "/vfio-pci/bind", "0000:00:03.0"),
            link(NIC + "/driver")),
        scenario(
            "drivers_probe: bound device, unknown and malformed addresses",
            write(PROBE, "0000:00:03.0"),
            write(PROBE, "0000:09:00.0"),
            write(PROBE, "garbage"),
            link(NIC + "/driver")),
        scenario(
            "IOMMU groups: ICH9 functions share one",
            new Step.IommuGroupOf("/sys/bus/pci/devices/0000:00:1f.2"),
            new Step.IommuGroupOf(NIC)));
  }

  static List<Scenario> vfLinks() {
    String numvfs = PF + "/sriov_numvfs";
    return List.of(
        scenario(
            "VF mac, vlan and qos accepted",
            write(numvfs, "2"),
            ip("vf", "0", "mac", "02:00:00:00:00:01", "vlan", "10", "qos", "3"),
            ip("vf", "1", "mac", "02:00:00:00:00:01"),
            ip("vf", "1", "vlan", "4095"),
            new Step.VfSettings(PF_NETDEV)),
        scenario(
            "VF mac and vlan cleared again",
            write(numvfs, "1"),
            ip("vf", "0", "mac", "02:00:00:00:00:02", "vlan", "20"),
            ip("vf", "0", "mac", "00:00:00:00:00:00", "vlan", "0"),
            new Step.VfSettings(PF_NETDEV)),
        scenario(
            "VF spoofchk and trust",
            write(numvfs, "1"),
            ip("vf", "0", "spoofchk", "off"),
            ip("vf", "0", "trust", "on"),
            new Step.VfSettings(PF_NETDEV)),
        scenario(
            "VF settings refused",
            write(numvfs, "2"),
            ip("vf", "0", "mac", "01:00:5e:00:00:01"),
            ip("vf", "0", "vlan", "10", "qos", "8"),
            ip("vf", "5", "mac", "02:00:00:00:00:05"),
            ip("vf", "0", "vlan", "10", "proto", "802.1ad"),
            ip("vf", "0", "vlan", "4096"),
            new Step.VfSettings(PF_NETDEV)),
        scenario(
            "VF mac set while the VF is bound to vfio-pci",
            write(numvfs, "1"),
            write(VF0 + "/driver_override", "vfio-pci"),
            write(DRIVERS + "/igbvf/unbind", "0000:01:10.0"),
            write(PROBE, "0000:01:10.0"),
            link(VF0 + "/driver"),
            ip("vf", "0", "mac", "02:00:00:00:00:09"),
            new Step.VfSettings(PF_NETDEV)));
  }

  /**
   * A function's reset and power state: which functions offer which methods, what {@code
   * reset_method} takes, when {@code reset} refuses, and the power state a driver leaves.
   */
  static List<Scenario> reset() {
    String nicMethods = NIC + "/reset_method";
    String nicReset = NIC + "/reset";
    String power = NIC + "/power_state";
    return List.of(
        scenario(
            "reset methods each function offers, none on pci-testdev",
            read(nicMethods),
            read(PF + "/reset_method"),
            write(PF + "/sriov_numvfs", "1"),
            read(VF0 + "/reset_method"),
            exists(MDEV_PARENT + "/reset"),
            exists(MDEV_PARENT + "/reset_method")),
        scenario(
            "reset_method refuses unknown and unsupported names and keeps its list",
            write(nicMethods, "bogus"),
            write(nicMethods, "bus"),
            read(nicMethods),
            write(nicMethods, "pm pm"),
            write(nicMethods, " pm \n"),
            read(nicMethods),
            write(PF + "/reset_method", "bus flr"),
            read(PF + "/reset_method")),
        scenario(
            "reset with every method disabled, then default",
            write(nicMethods, "\n"),
            read(nicMethods),
            write(nicReset, "1"),
            write(nicMethods, "default"),
            read(nicMethods),
            write(nicReset, "1")),
        scenario(
            "reset takes only 1",
            write(nicReset, "2"),
            write(nicReset, "0"),
            write(nicReset, "one"),
            write(nicReset, "1\n"),
            write(PF + "/reset", "1")),
        scenario(
            // Not read while vfio-pci holds it: it drops to D3hot a moment after binding.
            "power state: unknown until a driver binds, D0 after one, read-only",
            read(power),
            read("/sys/bus/pci/devices/0000:00:1f.2/power_state"),
            write(power, "D0"),
            write(NIC + "/driver_override", "vfio-pci"),
            write(DRIVERS + "/e1000e/unbind", "0000:00:03.0"),
            read(power),
            write(PROBE, "0000:00:03.0"),
            write(nicReset, "1"),
            write(DRIVERS + "/vfio-pci/unbind", "0000:00:03.0"),
            read(power)));
  }

  /**
   * What the health gate reads: config space as the device answers it. A VF's vendor and device
   * read ffff (SR-IOV), while sysfs shows the ids the kernel knows.
   */
  static List<Scenario> configSpace() {
    return List.of(
        scenario(
            "config space header of a NIC, a PF, a VF and pci-testdev",
            new Step.ConfigHeader(NIC),
            new Step.ConfigHeader(PF),
            write(PF + "/sriov_numvfs", "1"),
            new Step.ConfigHeader(VF0),
            read(VF0 + "/vendor"),
            new Step.ConfigHeader(MDEV_PARENT)));
  }

  private static Scenario scenario(String name, Step... steps) {
    return new Scenario(name, List.of(steps));
  }

  private static Step create(String type, String uuid) {
    return write(TYPES + "/" + type + "/create", uuid);
  }

  /** Every type's available_instances, in one line: the pool as each type sees it. */
  private static Step available() {
    return new Step.ReadEach(
        "available_instances of gh_mdev-1/2/4",
        List.of("1", "2", "4").stream()
            .map(n -> TYPES + "/gh_mdev-" + n + "/available_instances")
            .toList());
  }

  private static Step write(String path, String value) {
    return new Step.Write(path, value);
  }

  private static Step read(String path) {
    return new Step.Read(path);
  }

  private static Step ls(String path, String... only) {
    return new Step.ListDir(path, Arrays.asList(only));
  }

  private static Step exists(String path) {
    return new Step.Exists(path);
  }

  private static Step link(String path) {
    return new Step.LinkName(path);
  }

  private static Step ip(String... vfArgs) {
    List<String> argv = new ArrayList<>(List.of("ip", "link", "set", "dev", PF_NETDEV));
    argv.addAll(Arrays.asList(vfArgs));
    return new Step.Run(argv);
  }
}
