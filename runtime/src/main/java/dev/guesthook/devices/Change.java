package dev.guesthook.devices;

import dev.guesthook.id.DriverName;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import java.util.Optional;

/**
 * A change a device operation makes to the host on a guest's behalf, with what it takes to undo it:
 * what the {@link Ledger} notes before the change, and what a reconcile puts back when the guest is
 * not running any more. The VF count is not here: it belongs to the host, not to one guest.
 */
public sealed interface Change {
  /** What the change is to; a guest's first change to a target is the one that knows how it was. */
  String target();

  /** The device a guest holds while the change stands. */
  PciAddress device();

  /** Whether the guest holds {@link #device} alone; an mdev parent is shared by all its instances. */
  default boolean holdsDeviceAlone() {
    return true;
  }

  /** An mdev instance was created; undone by removing it. */
  record MdevCreated(PciAddress parent, MdevType type, Uuid uuid) implements Change {
    public String target() {
      return "mdev " + uuid;
    }

    public PciAddress device() {
      return parent;
    }

    @Override
    public boolean holdsDeviceAlone() {
      return false;
    }
  }

  /** The device was given to another driver; undone by giving it back to {@code previous} (or none). */
  record DriverChanged(PciAddress address, Optional<DriverName> previous) implements Change {
    public String target() {
      return "driver " + address;
    }

    public PciAddress device() {
      return address;
    }
  }

  /** A VF's MAC/VLAN/spoofchk/trust were set; undone by setting {@code previous} again. */
  record VfLinkChanged(PciAddress pf, int index, PciAddress vf, VfLink previous) implements Change {
    public String target() {
      return "link " + vf;
    }

    public PciAddress device() {
      return vf;
    }
  }

  /** An NVIDIA VF was given a vGPU type; undone by writing 0. */
  record VgpuTypeSet(PciAddress vf, int type) implements Change {
    public String target() {
      return "vgpu " + vf;
    }

    public PciAddress device() {
      return vf;
    }
  }

  /** A free VF was chosen for the guest; nothing to undo, but no other guest may take it meanwhile. */
  record VfClaimed(PciAddress vf) implements Change {
    public String target() {
      return "claim " + vf;
    }

    public PciAddress device() {
      return vf;
    }
  }
}
