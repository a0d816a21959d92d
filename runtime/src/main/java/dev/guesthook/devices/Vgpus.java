package dev.guesthook.devices;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;

import java.util.Optional;
import java.util.Set;

/**
 * "Give this VM a vGPU of profile X on GPU Y", whichever way the host offers vGPUs: mediated devices
 * when the GPU has {@code mdev_supported_types}, NVIDIA VFs when its VFs have {@code nvidia/}.
 */
public final class Vgpus {
  private final MediatedDevices mdev;
  private final NvidiaVgpus nvidia;
  private final PciDevices pci;

  public Vgpus(PciDevices pci, MediatedDevices mdev, NvidiaVgpus nvidia) {
    this.pci = pci;
    this.mdev = mdev;
    this.nvidia = nvidia;
  }

  public Vgpu.Model model(PciAddress gpu) {
    pci.requireExists(gpu);
    if (mdev.isParent(gpu)) {
      return Vgpu.Model.MDEV;
    }
    if (nvidia.isVfGpu(gpu)) {
      return Vgpu.Model.NVIDIA_VF;
    }
    throw new DeviceException(gpu + " offers no vGPU: it has no mdev_supported_types and no VFs with an"
        + " nvidia/ interface (for vGPU 17+ enable the VFs first: /usr/lib/nvidia/sriov-manage -e " + gpu + ")");
  }

  /** Creates the vGPU; {@code uuid} names the mdev instance, VFs in {@code taken} are not used. */
  public Vgpu create(PciAddress gpu, String profile, Uuid uuid, Set<PciAddress> taken) {
    if (model(gpu) == Vgpu.Model.MDEV) {
      MdevInstance instance = mdev.create(gpu, profile, uuid);
      return new Vgpu(Vgpu.Model.MDEV, gpu, instance.type().value(), Optional.of(uuid), Optional.empty());
    }
    PciAddress vf = nvidia.assign(gpu, profile, taken);
    return new Vgpu(Vgpu.Model.NVIDIA_VF, gpu, Integer.toString(nvidia.currentType(vf)), Optional.empty(), Optional.of(vf));
  }

  public void release(Vgpu vgpu) {
    if (vgpu.model() == Vgpu.Model.MDEV) {
      mdev.remove(vgpu.uuid().orElseThrow());
    } else {
      nvidia.release(vgpu.vf().orElseThrow());
    }
  }
}
