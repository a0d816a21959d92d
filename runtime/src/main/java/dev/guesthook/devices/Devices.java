package dev.guesthook.devices;

import dev.guesthook.host.HostPort;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;

/**
 * The device operations over one host port, as hooks see them: {@code pci}, {@code mdev}, {@code
 * sriov}, {@code vgpu}.
 */
public final class Devices {
  private final PciDevices pci;
  private final MediatedDevices mdev;
  private final SriovDevices sriov;
  private final NvidiaVgpus nvidia;
  private final Vgpus vgpu;
  private final Ledger ledger;

  /** For reading the host: no locks, nothing noted. */
  public Devices(HostPort host) {
    this(host, Ledger.NONE);
  }

  /**
   * For changing it on a guest's behalf: each change locked and noted in the guest's {@code
   * ledger}.
   */
  public Devices(HostPort host, Ledger ledger) {
    this.pci = new PciDevices(host, ledger);
    this.mdev = new MediatedDevices(host, pci, ledger);
    this.sriov = new SriovDevices(host, pci, ledger);
    this.nvidia = new NvidiaVgpus(host, sriov, ledger);
    this.vgpu = new Vgpus(pci, mdev, nvidia);
    this.ledger = ledger;
  }

  /**
   * Whether guesthook's ledger notes {@code device} for {@code guest}: it handed it over at the
   * guest's pre-start and has not taken it back. False where the phase keeps no ledger (a check, a
   * dry run, a replay).
   */
  public boolean notedFor(VmId guest, PciAddress device) {
    return ledger.heldBy(guest).contains(device);
  }

  public PciDevices pci() {
    return pci;
  }

  public MediatedDevices mdev() {
    return mdev;
  }

  public SriovDevices sriov() {
    return sriov;
  }

  public NvidiaVgpus nvidia() {
    return nvidia;
  }

  public Vgpus vgpu() {
    return vgpu;
  }
}
