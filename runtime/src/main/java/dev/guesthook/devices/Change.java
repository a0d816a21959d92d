package dev.guesthook.devices;

import dev.guesthook.id.DriverName;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import java.util.Optional;

/**
 * A change a device operation makes to the host on a guest's behalf, with what it takes to undo it:
 * what the {@link Ledger} notes before the change, and what a reconcile puts back when the guest is
 * not running any more. The VF count is not here: it belongs to the host, not to one guest. Each
 * kind owns its undo, so a new kind cannot be journaled without saying how it is put back.
 */
public sealed interface Change {
  /** What the change is to; a guest's first change to a target is the one that knows how it was. */
  String target();

  /** The device a guest holds while the change stands. */
  PciAddress device();

  /**
   * Whether the guest holds {@link #device} alone; an mdev parent is shared by all its instances.
   */
  default boolean holdsDeviceAlone() {
    return true;
  }

  /**
   * Puts the change back if it still stands (checking first, so a second pass does nothing); says
   * what it did, or empty when nothing needed doing. On a dry-run host it only plans.
   */
  Optional<PutBack> undo(Devices devices);

  /** What a reconcile says when {@link #undo} found nothing to do. */
  default String alreadyBack(boolean dryRun) {
    return "already as before (or the device is gone)";
  }

  /** What putting a change back did, and what a dry run says it would do. */
  record PutBack(String done, String planned) {
    static Optional<PutBack> of(String didVerb, String wouldVerb, String what) {
      return Optional.of(new PutBack(didVerb + " " + what, "would " + wouldVerb + " " + what));
    }
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

    @Override
    public Optional<PutBack> undo(Devices devices) {
      if (devices.mdev().instance(uuid).isEmpty()) {
        return Optional.empty();
      }
      devices.mdev().remove(uuid);
      return PutBack.of("removed", "remove", "mdev " + uuid + " (" + type + " on " + parent + ")");
    }

    @Override
    public String alreadyBack(boolean dryRun) {
      return "already gone";
    }
  }

  /**
   * The device was given to another driver; undone by giving it back to {@code previous} (or none).
   */
  record DriverChanged(PciAddress address, Optional<DriverName> previous) implements Change {
    public String target() {
      return "driver " + address;
    }

    public PciAddress device() {
      return address;
    }

    @Override
    public Optional<PutBack> undo(Devices devices) {
      if (!devices.pci().exists(address)) {
        return Optional.empty();
      }
      Optional<DriverName> now = devices.pci().driver(address);
      if (now.equals(previous) && devices.pci().driverOverride(address).isEmpty()) {
        return Optional.empty();
      }
      Optional<String> kept = devices.pci().keptOnVfio(address);
      if (kept.isPresent() && now.equals(Optional.of(DriverName.VFIO_PCI))) {
        // A hand-back that failed once is not made again behind the admin's back.
        throw new DeviceException(
            address
                + ": kept on vfio-pci ("
                + kept.get()
                + "); the guest's next post-stop hands it back");
      }
      devices.pci().restore(address, previous.orElse(null));
      if (now.equals(previous)) {
        return PutBack.of(
            "cleared",
            "clear",
            "driver_override (driver already " + now.map(DriverName::value).orElse("none") + ")");
      }
      return PutBack.of(
          "gave",
          "give",
          "back to "
              + previous.map(DriverName::value).orElse("no driver")
              + " (had "
              + now.map(DriverName::value).orElse("none")
              + ")");
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

    @Override
    public Optional<PutBack> undo(Devices devices) {
      Optional<VirtualFunction> function =
          devices.pci().exists(vf) ? devices.sriov().asVf(vf) : Optional.empty();
      VfLink now = function.isPresent() ? devices.sriov().link(function.get()) : previous;
      if (now.equals(previous)) {
        return Optional.empty();
      }
      devices.sriov().setLink(function.get(), previous, now);
      return PutBack.of(
          "put", "put", "link back to mac " + previous.mac() + " vlan " + previous.vlan());
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

    @Override
    public Optional<PutBack> undo(Devices devices) {
      if (!devices.nvidia().hasVfInterface(vf) || devices.nvidia().currentType(vf) != type) {
        return Optional.empty();
      }
      devices.nvidia().release(vf);
      return PutBack.of("released", "release", "vGPU type " + type);
    }
  }

  /**
   * A function's {@code reset_method} was set to an order for a reset, and put back right after; a
   * process that died in between (kill -9, a hook given up on) leaves the order, so the reconcile
   * puts back the list it had ({@code previous}, empty: every method disabled).
   */
  record ResetMethodsChanged(PciAddress address, String previous) implements Change {
    public String target() {
      return "reset_method " + address;
    }

    public PciAddress device() {
      return address;
    }

    @Override
    public Optional<PutBack> undo(Devices devices) {
      Optional<String> now = devices.pci().resetMethodList(address);
      if (now.isEmpty() || now.get().equals(previous)) {
        return Optional.empty();
      }
      devices.pci().writeResetMethodList(address, previous);
      return PutBack.of("put back", "put back", "reset_method '" + previous + "'");
    }
  }

  /**
   * A free VF was chosen for the guest; nothing to undo, but no other guest may take it meanwhile.
   */
  record VfClaimed(PciAddress vf) implements Change {
    public String target() {
      return "claim " + vf;
    }

    public PciAddress device() {
      return vf;
    }

    /** Nothing on the host to put back: forgetting the journal releases the claim. */
    @Override
    public Optional<PutBack> undo(Devices devices) {
      return Optional.empty();
    }

    @Override
    public String alreadyBack(boolean dryRun) {
      return dryRun ? "claim would be released" : "claim released";
    }
  }
}
