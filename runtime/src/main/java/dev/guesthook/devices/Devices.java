package dev.guesthook.devices;

import dev.guesthook.host.HostPort;

/** The device operations over one host port, as hooks see them: {@code pci}, {@code mdev}, {@code sriov}, {@code vgpu}. */
public final class Devices {
  private final PciDevices pci;
  private final MediatedDevices mdev;
  private final SriovDevices sriov;
  private final NvidiaVgpus nvidia;
  private final Vgpus vgpu;

  public Devices(HostPort host) {
    this.pci = new PciDevices(host);
    this.mdev = new MediatedDevices(host, pci);
    this.sriov = new SriovDevices(host, pci);
    this.nvidia = new NvidiaVgpus(host, sriov);
    this.vgpu = new Vgpus(pci, mdev, nvidia);
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
