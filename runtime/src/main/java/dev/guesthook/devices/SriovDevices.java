package dev.guesthook.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.guesthook.host.CommandResult;
import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.MacAddress;
import dev.guesthook.id.NetInterface;
import dev.guesthook.id.PciAddress;
import dev.guesthook.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

/**
 * SR-IOV: how many VFs a PF can have and has, enabling them (through 0, which the kernel requires),
 * finding VFs and free VFs, and their link settings through {@code ip link}.
 */
public final class SriovDevices {
  private static final ObjectMapper JSON = Json.MAPPER;
  private final HostPort host;
  private final PciDevices pci;
  private final Ledger ledger;

  public SriovDevices(HostPort host, PciDevices pci) {
    this(host, pci, Ledger.NONE);
  }

  SriovDevices(HostPort host, PciDevices pci, Ledger ledger) {
    this.host = host;
    this.pci = pci;
    this.ledger = ledger;
  }

  public boolean isPhysicalFunction(PciAddress device) {
    return host.exists(SysfsPaths.device(device, "sriov_totalvfs"));
  }

  public int totalVfs(PciAddress pf) {
    return count(pf, "sriov_totalvfs");
  }

  public int numVfs(PciAddress pf) {
    return count(pf, "sriov_numvfs");
  }

  /**
   * Makes sure the PF has at least {@code wanted} VFs; returns the count it had. Raising a non-zero
   * count destroys the existing VFs on the way through 0, so it is refused while one is bound to
   * vfio-pci.
   */
  public int ensureAtLeast(PciAddress pf, int wanted) {
    return ledger.locked(pf, () -> ensureAtLeastLocked(pf, wanted));
  }

  private int ensureAtLeastLocked(PciAddress pf, int wanted) {
    int before = numVfs(pf);
    if (before >= wanted) {
      return before;
    }
    Optional<String> refused = whyNotRaise(pf, wanted);
    if (refused.isPresent()) {
      throw new DeviceException(refused.get());
    }
    setNumVfs(pf, wanted);
    return before;
  }

  /**
   * Why the PF's VF count cannot be raised to {@code wanted}, if it cannot: above {@code
   * sriov_totalvfs}, or a VF on vfio-pci (probably a running VM's) that the way through 0 would
   * destroy. Reads only, so a hook can ask before its first change.
   */
  public Optional<String> whyNotRaise(PciAddress pf, int wanted) {
    int before = numVfs(pf);
    if (before >= wanted) {
      return Optional.empty();
    }
    if (wanted > totalVfs(pf)) {
      return Optional.of(
          pf
              + " supports at most "
              + totalVfs(pf)
              + " VFs (sriov_totalvfs); "
              + wanted
              + " asked for");
    }
    for (VirtualFunction vf : vfs(pf)) {
      if (vf.driver().equals(Optional.of(DriverName.VFIO_PCI))) {
        return Optional.of(
            "cannot raise the VF count of "
                + pf
                + " from "
                + before
                + " to "
                + wanted
                + ": VF "
                + vf.index()
                + " ("
                + vf.address()
                + ") is bound to vfio-pci, probably in use by a VM,"
                + " and the kernel must go through 0 VFs to change the count");
      }
    }
    return Optional.empty();
  }

  /**
   * Whether another guest has this VF: in {@code taken} (its hostpciN, a reservation) or its
   * ledger.
   */
  public boolean isTaken(PciAddress vf, Set<PciAddress> taken) {
    return taken.contains(vf) || ledger.heldByOthers().contains(vf);
  }

  /**
   * How many of these VFs a guest could claim now: not on vfio-pci, not in {@code taken}, not
   * another guest's.
   */
  public int freeCount(List<VirtualFunction> vfs, Set<PciAddress> taken) {
    Set<PciAddress> held = ledger.heldByOthers();
    return (int)
        vfs.stream()
            .filter(vf -> !vf.driver().equals(Optional.of(DriverName.VFIO_PCI)))
            .filter(vf -> !taken.contains(vf.address()) && !held.contains(vf.address()))
            .count();
  }

  /** Sets the VF count exactly, going through 0 when the kernel requires it. */
  public void setNumVfs(PciAddress pf, int count) {
    int before = numVfs(pf);
    if (before == count) {
      return;
    }
    HostPath attribute = SysfsPaths.device(pf, "sriov_numvfs");
    if (before != 0 && count != 0) {
      host.write(attribute, "0");
    }
    host.write(attribute, Integer.toString(count));
  }

  public List<VirtualFunction> vfs(PciAddress pf) {
    requirePf(pf);
    // The count is read again before each VF: recorded lifecycles hold these reads, and a replay
    // answers each read in turn (vfsCountedOnce reads it once).
    return vfsWhile(pf, index -> index < numVfs(pf));
  }

  /**
   * The PF's VFs as {@link #vfs} lists them, the count read once: three calls a VF fewer, for the
   * survey of a node's capacity after every phase.
   */
  public List<VirtualFunction> vfsCountedOnce(PciAddress pf) {
    requirePf(pf);
    int count = numVfs(pf);
    return vfsWhile(pf, index -> index < count);
  }

  private List<VirtualFunction> vfsWhile(PciAddress pf, IntPredicate more) {
    List<VirtualFunction> out = new ArrayList<>();
    for (int index = 0; more.test(index); index++) {
      Optional<HostPath> link = host.readLink(SysfsPaths.device(pf, "virtfn" + index));
      if (link.isPresent()) {
        PciAddress address = new PciAddress(link.get().name());
        out.add(new VirtualFunction(pf, index, address, pci.driver(address)));
      }
    }
    return out;
  }

  public VirtualFunction vf(PciAddress pf, int index) {
    List<VirtualFunction> vfs = vfs(pf);
    if (index < 0 || index >= vfs.size()) {
      throw new DeviceException(
          "VF index "
              + index
              + " out of range: "
              + pf
              + " has "
              + vfs.size()
              + " VFs (0.."
              + (vfs.size() - 1)
              + "), sriov_totalvfs "
              + totalVfs(pf));
    }
    return vfs.get(index);
  }

  /** The VF at an address, found through its {@code physfn} link. */
  public Optional<VirtualFunction> asVf(PciAddress address) {
    Optional<HostPath> physfn =
        pci.exists(address)
            ? host.readLink(SysfsPaths.device(address, "physfn"))
            : Optional.empty();
    return physfn.flatMap(
        pf ->
            vfs(new PciAddress(pf.name())).stream()
                .filter(v -> v.address().equals(address))
                .findFirst());
  }

  /**
   * Claims the first VF of the PF not bound to vfio-pci, not in {@code taken} and not held by
   * another guest in the ledger. Chosen and noted under the PF's lock, so two guests starting at
   * once never get the same VF.
   */
  public VirtualFunction freeVf(PciAddress pf, Set<PciAddress> taken) {
    return ledger.locked(
        pf,
        () ->
            claim(vfs(pf), taken)
                .orElseThrow(
                    () ->
                        new DeviceException(
                            "no free VF on "
                                + pf
                                + ": all "
                                + numVfs(pf)
                                + " are bound to vfio-pci or held by another guest; raise its VF count (numvfs)")));
  }

  /**
   * Claims this VF (named by index or by the guest's hostpciN) for the guest, under its PF's lock:
   * refused when it is in {@code taken} (this guest's other entries, another guest's hostpciN or
   * qemu-server's reservation) or another guest's ledger holds it, so a guest never takes, nor
   * changes the link of, a VF another guest has.
   */
  public VirtualFunction claim(VirtualFunction vf, Set<PciAddress> taken) {
    return ledger.locked(
        vf.pf(),
        () -> {
          if (taken.contains(vf.address()) || ledger.heldByOthers().contains(vf.address())) {
            throw new DeviceException(
                "VF "
                    + vf.index()
                    + " of "
                    + vf.pf()
                    + " ("
                    + vf.address()
                    + ") is taken: another"
                    + " guest holds it, or another entry of this guest names it; name another VF, or leave vf out for a free one");
          }
          ledger.apply(new Change.VfClaimed(vf.address()), () -> {});
          return vf;
        });
  }

  /**
   * The same among {@code candidates} (e.g. a mapping's paths), under the lock of the first one's
   * PF.
   */
  public VirtualFunction freeVf(List<PciAddress> candidates, Set<PciAddress> taken) {
    List<VirtualFunction> vfs =
        candidates.stream().map(this::asVf).flatMap(Optional::stream).toList();
    Supplier<VirtualFunction> choose =
        () ->
            claim(vfs, taken)
                .orElseThrow(
                    () ->
                        new DeviceException(
                            "no free VF among "
                                + candidates
                                + ": each is absent, not a VF, bound to vfio-pci or held by another guest"));
    // A mapping's VFs usually share one PF; its lock serialises every claim among them.
    return vfs.isEmpty() ? choose.get() : ledger.locked(vfs.get(0).pf(), choose);
  }

  private Optional<VirtualFunction> claim(List<VirtualFunction> vfs, Set<PciAddress> taken) {
    Set<PciAddress> held = ledger.heldByOthers();
    Optional<VirtualFunction> free =
        vfs.stream()
            .filter(vf -> !vf.driver().equals(Optional.of(DriverName.VFIO_PCI)))
            .filter(vf -> !taken.contains(vf.address()) && !held.contains(vf.address()))
            .findFirst();
    free.ifPresent(vf -> ledger.apply(new Change.VfClaimed(vf.address()), () -> {}));
    return free;
  }

  public NetInterface netInterface(PciAddress pf) {
    HostPath net = SysfsPaths.device(pf, "net");
    List<String> names = host.exists(net) ? host.list(net) : List.of();
    if (names.isEmpty()) {
      throw new DeviceException(
          pf + " has no network interface (no net/ folder): is its PF driver loaded?");
    }
    return new NetInterface(names.get(0));
  }

  /** The VF's MAC, VLAN, spoof checking and trust, from {@code ip -j link show}. */
  public VfLink link(VirtualFunction vf) {
    NetInterface dev = netInterface(vf.pf());
    CommandResult result =
        host.run(HostCommand.query("ip", "-j", "link", "show", "dev", dev.value()));
    require(result, "ip -j link show dev " + dev);
    try {
      for (JsonNode node : JSON.readTree(result.output()).path(0).path("vfinfo_list")) {
        if (node.path("vf").asInt(-1) == vf.index()) {
          JsonNode vlans = node.path("vlan_list");
          int vlan =
              vlans.isArray() && vlans.size() > 0
                  ? vlans.get(0).path("vlan").asInt()
                  : node.path("vlan").asInt(0);
          return new VfLink(
              MacAddress.parse(node.path("address").asText()),
              vlan,
              node.path("spoofchk").asBoolean(true),
              node.path("trust").asBoolean(false));
        }
      }
    } catch (IOException e) {
      throw new DeviceException(
          "ip -j link show dev " + dev + ": unreadable output: " + e.getMessage());
    }
    throw new DeviceException(dev + " does not list VF " + vf.index());
  }

  /**
   * Makes the VF's link settings {@code link}, setting only what differs; nothing runs when all
   * agree.
   */
  public void setLink(VirtualFunction vf, VfLink link) {
    setLink(vf, link, link(vf));
  }

  /**
   * The same, for a caller that has just read the VF's settings ({@code current}) and need not ask
   * again.
   */
  public void setLink(VirtualFunction vf, VfLink link, VfLink current) {
    List<String> changes = link.argumentsFrom(current);
    if (changes.isEmpty()) {
      return;
    }
    NetInterface dev = netInterface(vf.pf());
    List<String> argv =
        new ArrayList<>(
            List.of("ip", "link", "set", "dev", dev.value(), "vf", Integer.toString(vf.index())));
    argv.addAll(changes);
    ledger.apply(
        new Change.VfLinkChanged(vf.pf(), vf.index(), vf.address(), current),
        () ->
            require(host.run(HostCommand.of(argv.toArray(String[]::new))), String.join(" ", argv)));
  }

  private static void require(CommandResult result, String what) {
    if (!result.succeeded()) {
      throw new HostException(
          result.status() == CommandResult.Status.RAN ? "EXIT" : result.status().name(),
          what
              + " failed: "
              + (result.lastLine().isEmpty()
                  ? result.status().name().toLowerCase(Locale.ROOT)
                  : result.lastLine()));
    }
  }

  private void requirePf(PciAddress pf) {
    pci.requireExists(pf);
    if (!isPhysicalFunction(pf)) {
      throw new DeviceException(pf + " is not an SR-IOV physical function (no sriov_totalvfs)");
    }
  }

  private int count(PciAddress pf, String attribute) {
    requirePf(pf);
    return Integer.parseInt(host.read(SysfsPaths.device(pf, attribute)).trim());
  }
}
