package dev.guesthook.devices;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Uuid;
import java.util.Optional;

/**
 * A vGPU given to a VM: an mdev instance (GVT-g, NVIDIA before vGPU 17) or an NVIDIA VF with a vGPU
 * type set (vGPU 17+). {@code device} is what QEMU is given: the mdev's sysfs path or the VF's
 * address.
 */
public record Vgpu(
    Model model, PciAddress gpu, String type, Optional<Uuid> uuid, Optional<PciAddress> vf) {
  public enum Model {
    MDEV,
    NVIDIA_VF
  }

  public String device() {
    return uuid.map(u -> "/sys/bus/mdev/devices/" + u).orElseGet(() -> vf.orElseThrow().value());
  }
}
