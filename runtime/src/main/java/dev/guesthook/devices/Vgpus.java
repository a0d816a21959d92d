package dev.guesthook.devices;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import dev.guesthook.id.Uuid;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * "Give this VM a vGPU of profile X on GPU Y", whichever way the host offers vGPUs: mediated
 * devices when the GPU has {@code mdev_supported_types}, NVIDIA VFs when its VFs have {@code
 * nvidia/}.
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

  /** One vGPU a guest asks for: a profile (mdev type, its name, or NVIDIA type) on a GPU. */
  public record Request(PciAddress gpu, String profile) {}

  /**
   * Why these vGPUs cannot all be made now, if they cannot: a GPU offering no vGPU or not the
   * profile, or fewer free mdev instances or vGPU VFs than asked for. {@code freedMdevs} and {@code
   * freedVfs} are this guest's leftovers, about to be removed, and count as free. Reads only: a
   * hook asks this before its first change, so a start that cannot be satisfied changes nothing.
   */
  public Optional<String> whyNotFit(
      List<Request> wanted, Set<Uuid> freedMdevs, Set<PciAddress> freedVfs) {
    try {
      Map<PciAddress, Map<String, Integer>> asked = new LinkedHashMap<>();
      for (Request request : wanted) {
        // An mdev type asked for by its name and by its id is one type, drawing on one count.
        String profile =
            model(request.gpu()) == Vgpu.Model.MDEV
                ? mdev.type(request.gpu(), request.profile()).type().value()
                : request.profile();
        asked
            .computeIfAbsent(request.gpu(), g -> new LinkedHashMap<>())
            .merge(profile, 1, Integer::sum);
      }
      for (Map.Entry<PciAddress, Map<String, Integer>> gpu : asked.entrySet()) {
        for (Map.Entry<String, Integer> profile : gpu.getValue().entrySet()) {
          int free =
              model(gpu.getKey()) == Vgpu.Model.MDEV
                  ? freeMdevs(gpu.getKey(), profile.getKey(), freedMdevs)
                  : nvidia.freeVfsFor(gpu.getKey(), profile.getKey(), freedVfs);
          if (free < profile.getValue()) {
            return Optional.of(
                gpu.getKey()
                    + " has "
                    + free
                    + " free of '"
                    + Printable.of(profile.getKey())
                    + "', "
                    + profile.getValue()
                    + " asked for");
          }
        }
      }
    } catch (DeviceException e) {
      return Optional.of(e.getMessage());
    }
    return Optional.empty();
  }

  private int freeMdevs(PciAddress parent, String profile, Set<Uuid> freed) {
    MdevTypeInfo type = mdev.type(parent, profile);
    long leftovers =
        mdev.find(Optional.of(parent), Optional.of(type.type())).stream()
            .filter(instance -> freed.contains(instance.uuid()))
            .count();
    return type.availableInstances() + (int) leftovers;
  }

  public Vgpu.Model model(PciAddress gpu) {
    pci.requireExists(gpu);
    if (mdev.isParent(gpu)) {
      return Vgpu.Model.MDEV;
    }
    if (nvidia.isVfGpu(gpu)) {
      return Vgpu.Model.NVIDIA_VF;
    }
    throw new DeviceException(
        gpu
            + " offers no vGPU: it has no mdev_supported_types and no VFs with an"
            + " nvidia/ interface (for vGPU 17+ enable the VFs first: /usr/lib/nvidia/sriov-manage -e "
            + gpu
            + ")");
  }

  /** Creates the vGPU; {@code uuid} names the mdev instance, VFs in {@code taken} are not used. */
  public Vgpu create(PciAddress gpu, String profile, Uuid uuid, Set<PciAddress> taken) {
    if (model(gpu) == Vgpu.Model.MDEV) {
      MdevInstance instance = mdev.create(gpu, profile, uuid);
      return new Vgpu(
          Vgpu.Model.MDEV, gpu, instance.type().value(), Optional.of(uuid), Optional.empty());
    }
    PciAddress vf = nvidia.assign(gpu, profile, taken);
    return new Vgpu(
        Vgpu.Model.NVIDIA_VF,
        gpu,
        Integer.toString(nvidia.currentType(vf)),
        Optional.empty(),
        Optional.of(vf));
  }

  public void release(Vgpu vgpu) {
    if (vgpu.model() == Vgpu.Model.MDEV) {
      mdev.remove(vgpu.uuid().orElseThrow());
    } else {
      nvidia.release(vgpu.vf().orElseThrow());
    }
  }
}
