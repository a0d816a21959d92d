package dev.guesthook.devices;

import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * NVIDIA vGPU on the VF interface (vGPU 17+, kernel 6.8+, Proxmox VE 8.3+): a VF's {@code
 * nvidia/current_vgpu_type} takes a type id from its {@code creatable_vgpu_types}; 0 releases it.
 * As qemu-server's {@code create_nvidia_device}, a VF already holding the wanted type is kept.
 */
public final class NvidiaVgpus {
  /** One line of {@code creatable_vgpu_types}: {@code 1157 : NVIDIA L40S-4Q}. */
  public record VgpuType(int id, String name) {}

  private final HostPort host;
  private final SriovDevices sriov;
  private final Ledger ledger;

  public NvidiaVgpus(HostPort host, SriovDevices sriov) {
    this(host, sriov, Ledger.NONE);
  }

  NvidiaVgpus(HostPort host, SriovDevices sriov, Ledger ledger) {
    this.host = host;
    this.sriov = sriov;
    this.ledger = ledger;
  }

  public boolean hasVfInterface(PciAddress vf) {
    return host.exists(SysfsPaths.nvidia(vf, "current_vgpu_type"));
  }

  /**
   * A device with the driver's {@code nvidia} directory: what PVE::SysFSTools::lspci marks {@code
   * nvidia}.
   */
  public boolean hasNvidiaDirectory(PciAddress device) {
    return host.exists(SysfsPaths.device(device, "nvidia"));
  }

  /** Whether a GPU's VFs carry the NVIDIA vGPU interface. */
  public boolean isVfGpu(PciAddress gpu) {
    return sriov.isPhysicalFunction(gpu)
        && sriov.vfs(gpu).stream().anyMatch(vf -> hasVfInterface(vf.address()));
  }

  public int currentType(PciAddress vf) {
    return Integer.parseInt(host.read(SysfsPaths.nvidia(vf, "current_vgpu_type")).trim());
  }

  public List<VgpuType> creatable(PciAddress vf) {
    List<VgpuType> out = new ArrayList<>();
    for (String line : host.read(SysfsPaths.nvidia(vf, "creatable_vgpu_types")).lines().toList()) {
      String[] fields = line.split(":", 2);
      if (fields.length == 2 && fields[0].trim().matches("[0-9]+")) {
        out.add(new VgpuType(Integer.parseInt(fields[0].trim()), fields[1].trim()));
      }
    }
    return out;
  }

  /** Sets the type on the first VF of the GPU that can take it and is not taken; returns the VF. */
  public PciAddress assign(PciAddress gpu, String profile, Set<PciAddress> taken) {
    // Under the GPU's lock: two guests starting at once never pick the same VF.
    return ledger.locked(gpu, () -> assignLocked(gpu, profile, taken));
  }

  private PciAddress assignLocked(PciAddress gpu, String profile, Set<PciAddress> taken) {
    Set<PciAddress> held = ledger.heldByOthers();
    List<String> seen = new ArrayList<>();
    for (VirtualFunction vf : sriov.vfs(gpu)) {
      if (taken.contains(vf.address())
          || held.contains(vf.address())
          || !hasVfInterface(vf.address())
          || currentType(vf.address()) != 0) {
        continue;
      }
      List<VgpuType> types = creatable(vf.address());
      types.forEach(t -> seen.add(t.id() + " " + t.name()));
      Optional<VgpuType> match = types.stream().filter(t -> matches(t, profile)).findFirst();
      if (match.isPresent()) {
        setType(vf.address(), match.get().id());
        return vf.address();
      }
    }
    throw noVfFor(gpu, profile, seen);
  }

  private static DeviceException noVfFor(PciAddress gpu, String profile, List<String> seen) {
    return new DeviceException(
        "no VF of "
            + gpu
            + " can take vGPU type '"
            + Printable.of(profile)
            + "'; creatable now: "
            + (seen.isEmpty()
                ? "none (every VF has a type or is taken)"
                : seen.stream().distinct().collect(Collectors.joining(", "))));
  }

  /**
   * How many VFs of the GPU could take the profile now (or are in {@code freed}, and have it); when
   * none can, fails as {@link #assign} would, naming what is creatable. Reads only.
   */
  public int freeVfsFor(PciAddress gpu, String profile, Set<PciAddress> freed) {
    Set<PciAddress> held = ledger.heldByOthers();
    List<String> seen = new ArrayList<>();
    int free = 0;
    for (VirtualFunction vf : sriov.vfs(gpu)) {
      PciAddress address = vf.address();
      if (!hasVfInterface(address) || held.contains(address)) {
        continue;
      }
      int current = currentType(address);
      List<VgpuType> types = current == 0 ? creatable(address) : List.of();
      types.forEach(t -> seen.add(t.id() + " " + t.name()));
      boolean reusable = freed.contains(address) && matches(new VgpuType(current, ""), profile);
      if (reusable || types.stream().anyMatch(t -> matches(t, profile))) {
        free++;
      }
    }
    if (free == 0) {
      throw noVfFor(gpu, profile, seen);
    }
    return free;
  }

  /**
   * Sets the type on this VF, as qemu-server's {@code create_nvidia_device} does for a VF named by
   * {@code hostpciN}: a VF that already has it is kept; another type is reset to 0 first.
   */
  public void assignTo(PciAddress vf, String profile) {
    if (!hasVfInterface(vf)) {
      throw new DeviceException(
          "no NVIDIA vGPU interface on " + vf + " (no nvidia/current_vgpu_type)");
    }
    int current = currentType(vf);
    if (current != 0 && matches(new VgpuType(current, ""), profile)) {
      return;
    }
    release(vf);
    VgpuType type =
        creatable(vf).stream()
            .filter(t -> matches(t, profile))
            .findFirst()
            .orElseThrow(
                () ->
                    new DeviceException(
                        "vgpu type '"
                            + Printable.of(profile)
                            + "' not available for '"
                            + vf
                            + "'"));
    setType(vf, type.id());
  }

  private void setType(PciAddress vf, int type) {
    ledger.apply(
        new Change.VgpuTypeSet(vf, type),
        () -> host.write(SysfsPaths.nvidia(vf, "current_vgpu_type"), Integer.toString(type)));
  }

  public void release(PciAddress vf) {
    if (hasVfInterface(vf) && currentType(vf) != 0) {
      host.write(SysfsPaths.nvidia(vf, "current_vgpu_type"), "0");
    }
  }

  /** A profile names a type by id ({@code 1157}), Proxmox's {@code nvidia-1157}, or its name. */
  static boolean matches(VgpuType type, String profile) {
    return profile.equals(Integer.toString(type.id()))
        || profile.equals("nvidia-" + type.id())
        || profile.equals(type.name());
  }
}
