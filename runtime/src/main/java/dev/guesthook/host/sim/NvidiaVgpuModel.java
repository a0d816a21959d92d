package dev.guesthook.host.sim;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.PciAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The NVIDIA vGPU driver's VF interface (vGPU 17+, kernel 6.8+): each VF of the GPU has {@code
 * nvidia/current_vgpu_type} (0 = none) and {@code nvidia/creatable_vgpu_types}. A VF takes a type
 * only from its creatable list (else EINVAL) and only while it has none (else EBUSY); writing 0
 * releases it. The GPU is time-sliced, so once one VF has a type every other VF can only take the
 * same type, up to the profile's instance count. The profiles of a GPU are the simulator's own
 * table, {@code /.simulator/nvidia/<pf>}: lines of {@code id <TAB> max instances <TAB> name}.
 */
final class NvidiaVgpuModel implements KernelAttribute {
  private static final String NONE = "0";
  private final Sysfs sysfs;

  NvidiaVgpuModel(Sysfs sysfs) {
    this.sysfs = sysfs;
  }

  record Profile(int id, int maxInstances, String name) {}

  static HostPath profileFile(PciAddress pf) {
    return Sysfs.PRIVATE.resolve("nvidia", pf.value());
  }

  @Override
  public boolean handles(HostPath path) {
    return path.name().equals("current_vgpu_type") && path.parent().name().equals("nvidia");
  }

  @Override
  public void store(HostPath path, String value) {
    PciAddress vf = new PciAddress(path.parent().parent().name());
    PciAddress pf = physfn(vf).orElseThrow(() -> KernelErrors.noDevice(path, vf + " is not a VF"));
    int wanted = (int) KernelErrors.number(path, value, "a vGPU type id", 0, Integer.MAX_VALUE);
    if (wanted != 0) {
      if (current(vf) != 0) {
        throw KernelErrors.busy(
            path, vf + " already has vGPU type " + current(vf) + "; write 0 first");
      }
      if (creatable(pf, vf).stream().noneMatch(p -> p.id() == wanted)) {
        throw KernelErrors.invalid(path, "vGPU type " + wanted + " is not creatable on " + vf);
      }
    }
    sysfs.tree().write(path, wanted + "\n");
    refresh(pf);
  }

  /** Gives the new VFs of an NVIDIA GPU their {@code nvidia/} directory. */
  void vfsEnabled(PciAddress pf, List<PciAddress> vfs) {
    if (!sysfs.tree().exists(profileFile(pf))) {
      return;
    }
    for (PciAddress vf : vfs) {
      HostPath dir = sysfs.deviceDir(vf).resolve("nvidia");
      sysfs.tree().makeDirectory(dir);
      sysfs.tree().write(dir.resolve("current_vgpu_type"), NONE + "\n");
      sysfs
          .tree()
          .write(dir.resolve("vgpu_params"), "\n"); // plugin parameters, e.g. frame_rate_limiter=0
    }
    refresh(pf);
  }

  private void refresh(PciAddress pf) {
    for (PciAddress vf : vfs(pf)) {
      StringBuilder table = new StringBuilder("ID    : vGPU Name\n");
      for (Profile profile : creatable(pf, vf)) {
        table.append(String.format("%-5d : %s%n", profile.id(), profile.name()));
      }
      sysfs
          .tree()
          .write(
              sysfs.deviceDir(vf).resolve("nvidia").resolve("creatable_vgpu_types"),
              table.toString());
    }
  }

  private List<Profile> creatable(PciAddress pf, PciAddress vf) {
    if (current(vf) != 0) {
      return List.of();
    }
    Map<Integer, Integer> inUse = new TreeMap<>();
    for (PciAddress other : vfs(pf)) {
      if (current(other) != 0) {
        inUse.merge(current(other), 1, Integer::sum);
      }
    }
    List<Profile> out = new ArrayList<>();
    for (Profile profile : profiles(pf)) {
      int used = inUse.getOrDefault(profile.id(), 0);
      boolean sameAsOthers = inUse.isEmpty() || inUse.containsKey(profile.id());
      if (sameAsOthers && used < profile.maxInstances()) {
        out.add(profile);
      }
    }
    return out;
  }

  private List<Profile> profiles(PciAddress pf) {
    List<Profile> out = new ArrayList<>();
    for (String line : Sysfs.lines(sysfs.tree().read(profileFile(pf)))) {
      String[] fields = line.split("\t", 3);
      out.add(new Profile(Integer.parseInt(fields[0]), Integer.parseInt(fields[1]), fields[2]));
    }
    return out;
  }

  private List<PciAddress> vfs(PciAddress pf) {
    List<PciAddress> out = new ArrayList<>();
    HostPath pfDir = sysfs.deviceDir(pf);
    for (String name : sysfs.tree().list(pfDir)) {
      if (name.startsWith("virtfn")) {
        sysfs
            .tree()
            .readLink(pfDir.resolve(name))
            .ifPresent(
                dir -> {
                  PciAddress vf = new PciAddress(dir.name());
                  if (sysfs.tree().exists(sysfs.deviceDir(vf).resolve("nvidia"))) {
                    out.add(vf);
                  }
                });
      }
    }
    return out;
  }

  private int current(PciAddress vf) {
    return Integer.parseInt(
        sysfs
            .tree()
            .read(sysfs.deviceDir(vf).resolve("nvidia").resolve("current_vgpu_type"))
            .trim());
  }

  private Optional<PciAddress> physfn(PciAddress vf) {
    return sysfs
        .tree()
        .readLink(sysfs.deviceDir(vf).resolve("physfn"))
        .map(dir -> new PciAddress(dir.name()));
  }
}
