package dev.guesthook.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * What one node publishes of itself: its passthrough capacity and what each guest holds, as of
 * {@code publishedAt} (ISO-8601, UTC). Version 1 of {@code
 * /etc/pve/nodes/<node>/guesthook/status.json}.
 */
public record NodeReport(
    String format,
    int version,
    String node,
    String publishedAt,
    Capacity capacity,
    List<Guest> guests,
    @MayBeAbsent List<Mapping> mappings) {
  public static final String FORMAT = "guesthook-node";
  public static final int VERSION = 1;

  /**
   * Free and total per device class: mdev types, vGPU profiles on VFs, SR-IOV PFs, vfio-pci; and
   * every PCI function there is, for {@code cluster place} to find a {@code hostpciN}'s device
   * (absent, {@code null}, in a file published before it was).
   */
  public record Capacity(
      List<MdevSlots> mdev,
      List<VgpuSlots> vgpu,
      List<VfSlots> vfs,
      List<String> vfio,
      @MayBeAbsent List<String> functions) {
    /**
     * Every class's free and total as one list, for views that show them alike (metrics, the events
     * page): mdev types, then vGPU profiles, then PFs' VFs (their type is empty).
     */
    public List<Slot> slots() {
      List<Slot> slots = new ArrayList<>();
      mdev.forEach(m -> slots.add(new Slot("mdev", m.parent(), m.type(), m.free(), m.total())));
      vgpu.forEach(v -> slots.add(new Slot("vgpu", v.gpu(), v.profile(), v.free(), v.total())));
      vfs.forEach(v -> slots.add(new Slot("vf", v.pf(), "", v.free(), v.total())));
      return slots;
    }
  }

  /** One class's free and total on one device ({@code kind}: mdev, vgpu or vf). */
  public record Slot(String kind, String device, String type, int free, int total) {}

  /**
   * A parent's mdev type: {@code free} is its {@code available_instances}, {@code total} that plus
   * the instances of the type there now (types of one pool share it: each counts alone).
   */
  public record MdevSlots(String parent, String type, String name, int free, int total) {}

  /**
   * A vGPU profile on a GPU whose VFs carry it: VFs that could take it now, and those that have it
   * too; {@code id} is the driver's number for it (a guest may ask for {@code nvidia-<id>}).
   */
  public record VgpuSlots(String gpu, String profile, int free, int total, int id) {}

  /**
   * A PF: VFs a guest could claim now (not on vfio-pci, not held), enabled, and the most it has;
   * {@code vfio} of its VFs are on vfio-pci (the count cannot be raised then: sriov-vf's rule).
   */
  public record VfSlots(String pf, int free, int enabled, int total, int vfio) {}

  /**
   * A PCI resource mapping of {@code /etc/pve/mapping/pci.cfg} as this node sees it: why {@code
   * hostpciN: mapping=<id>} would be refused here (qemu-server's words, {@code null} when it
   * matches the hardware), how many entries it has for this node, and how many VFs among their
   * paths a guest could claim (sriov-vf's count: free ones and paths whose VF does not exist yet).
   */
  public record Mapping(String id, @MayBeAbsent String refusal, int entries, int freeVfs) {}

  /** A guest and what guesthook handed it, from its journal. */
  public record Guest(int vmid, List<Holding> holds) {}

  /**
   * One device a guest holds and the changes that gave it, as its journal names them ({@code mdev
   * <uuid>}, {@code driver <address>}, {@code claim <address>}, ...).
   */
  public record Holding(String device, List<String> changes) {}
}
