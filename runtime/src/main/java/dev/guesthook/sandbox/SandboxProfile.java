package dev.guesthook.sandbox;

import dev.guesthook.host.sim.PciDeviceSpec;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The hosts {@code guesthook sandbox create} can write: the hardware the project exists for, with
 * real vendor/device ids, drivers and IOMMU groups, and example VMs that use it. {@code mixed} has
 * all of them on one node and is what the demo plays.
 */
public enum SandboxProfile {
  GVT_G("Intel UHD 630 with GVT-g mediated devices (i915-GVTg_V5_4/_8)", SandboxProfile::gvtg),
  NVIDIA_VGPU(
      "NVIDIA Tesla T4 with mdev-based vGPU types (nvidia-222 ... nvidia-234)",
      SandboxProfile::nvidiaMdev),
  NVIDIA_VGPU_VF(
      "NVIDIA L40S with VF-based vGPU (vGPU 17+: nvidia/current_vgpu_type)",
      SandboxProfile::nvidiaVf),
  SRIOV_NIC("Intel X710 dual-port NIC, i40e PFs with iavf VFs", SandboxProfile::sriovNic),
  GPU_PASSTHROUGH(
      "AMD Radeon RX 6800 XT (GPU + HDMI audio) shared between host and a VM",
      SandboxProfile::gpuPassthrough),
  MIXED(
      "every profile's hardware together (GVT-g, NVIDIA mdev and VF vGPU, X710 VFs, RX 6800 XT),"
          + " with hibernating and migrating VMs",
      SandboxProfile::mixed);

  private final String summary;
  private final Consumer<SandboxBuilder> recipe;

  SandboxProfile(String summary, Consumer<SandboxBuilder> recipe) {
    this.summary = summary;
    this.recipe = recipe;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public String summary() {
    return summary;
  }

  public static SandboxProfile parse(String id) {
    return Arrays.stream(values())
        .filter(p -> p.id().equals(id))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown profile '"
                        + Printable.of(id)
                        + "': one of "
                        + Arrays.stream(values())
                            .map(SandboxProfile::id)
                            .collect(Collectors.joining(", "))));
  }

  public void writeTo(SandboxBuilder sandbox) {
    base(sandbox);
    recipe.accept(sandbox);
  }

  private static void base(SandboxBuilder s) {
    s.file(
        "/etc/pve/storage.cfg",
        """
        dir: local
        \tpath /var/lib/vz
        \tcontent iso,vztmpl,backup,snippets

        lvmthin: local-lvm
        \tthinpool data
        \tvgname pve
        \tcontent rootdir,images

        rbd: ceph-pool
        \tpool vm-pool
        \tcontent images
        \tkrbd 0
        """);
    s.file(
        "/etc/guesthook/guesthook.yaml",
        """
        # guesthook configuration of the sandbox host (the real one is /etc/guesthook/guesthook.yaml).
        # Per-VM settings live in /etc/pve/guesthook/<vmid>.yaml so they follow the VM in a cluster.
        hook-timeout: 10
        """);
    s.file("/var/lib/vz/images/.keep", "");
    s.file(
        "/proc/cmdline",
        "BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt\n");
    s.file(
        "/proc/modules",
        "vfio_pci 16384 0 - Live 0x0000000000000000\n"
            + "vfio_pci_core 86016 1 vfio_pci, Live 0x0000000000000000\n"
            + "vfio_iommu_type1 49152 0 - Live 0x0000000000000000\n"
            + "vfio 65536 3 vfio_pci_core,vfio_iommu_type1,vfio_pci, Live 0x0000000000000000\n");
    // The root file system of the node: 12 GiB free, so a VM with 8 GiB of memory cannot hibernate
    // to 'local'.
    s.file("/.simulator/disk-free", "/var/lib/vz 12884901888\n");
    for (int cpu = 0; cpu < 4; cpu++) {
      s.file("/sys/devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_governor", "powersave\n");
    }
  }

  private static String vm(String description, String name, String... lines) {
    StringBuilder text = new StringBuilder("#" + description + "\n");
    text.append(
        "boot: order=scsi0\ncores: 4\nhookscript: local:snippets/guesthook\nmachine: q35\nmemory: 8192\n");
    text.append("name: ").append(name).append("\nostype: l26\n");
    for (String line : lines) {
      text.append(line).append('\n');
    }
    return text.toString();
  }

  private static void gvtg(SandboxBuilder s) {
    s.module("i915", "i915", "8086:3e92");
    s.module("snd_hda_intel", "snd_hda_intel", "8086:a348", "1002:ab28");
    s.device(PciDeviceSpec.of("0000:00:02.0", 0x8086, 0x3e92, 0x030000).subsystem(0x1043, 0x8694));
    s.device(PciDeviceSpec.of("0000:00:1f.3", 0x8086, 0xa348, 0x040300).subsystem(0x1043, 0x8694));
    s.iommuGroup("0000:00:02.0").iommuGroup("0000:00:1f.3");
    s.resetMethods("0000:00:02.0", "flr").resetMethods("0000:00:1f.3", "flr");
    String description =
        "low_gm_size: 128MB\nhigh_gm_size: 512MB\nfence: 4\nresolution: 1920x1200\nweight: ";
    s.mdevType("0000:00:02.0", "i915-GVTg_V5_4", "GVTg_V5_4", description + "4", 2);
    s.mdevType(
        "0000:00:02.0",
        "i915-GVTg_V5_8",
        "GVTg_V5_8",
        description.replace("512MB", "384MB") + "2",
        4);
    s.vm(
        201,
        vm(
            "Office desktop with a GVT-g slice that Proxmox creates (hostpci0 mdev=).",
            "office-gvt",
            "hostpci0: 0000:00:02.0,mdev=i915-GVTg_V5_4",
            "scsi0: local-lvm:vm-201-disk-0,size=64G"));
    s.vm(
        202,
        vm(
            "Kiosk whose GVT-g slice guesthook creates and hands to QEMU through args.",
            "kiosk-gvt",
            "args: -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/00001000-0000-0000-0000-000000000202",
            "scsi0: local-lvm:vm-202-disk-0,size=32G"));
    s.vmSettings(
        202,
        """
        mdev:
          devices:
            - parent: "0000:00:02.0"
              type: i915-GVTg_V5_4
        """);
  }

  private static void nvidiaMdev(SandboxBuilder s) {
    s.module("nvidia", "nvidia", "10de:1eb8", "10de:26b9");
    s.device(PciDeviceSpec.of("0000:3b:00.0", 0x10de, 0x1eb8, 0x030200).subsystem(0x10de, 0x12a2));
    s.iommuGroup("0000:3b:00.0");
    s.resetMethods("0000:3b:00.0", "bus"); // a Tesla T4 has no function level reset
    String t4 = "num_heads=%d, frl_config=%d, framebuffer=%dM, max_resolution=%s, max_instance=%d";
    s.mdevType(
        "0000:3b:00.0",
        "nvidia-222",
        "GRID T4-1B",
        String.format(t4, 4, 45, 1024, "5120x2880", 16),
        16);
    s.mdevType(
        "0000:3b:00.0",
        "nvidia-230",
        "GRID T4-1Q",
        String.format(t4, 4, 60, 1024, "5120x2880", 16),
        16);
    s.mdevType(
        "0000:3b:00.0",
        "nvidia-231",
        "GRID T4-2Q",
        String.format(t4, 4, 60, 2048, "7680x4320", 8),
        8);
    s.mdevType(
        "0000:3b:00.0",
        "nvidia-232",
        "GRID T4-4Q",
        String.format(t4, 4, 60, 4096, "7680x4320", 4),
        4);
    s.mdevType(
        "0000:3b:00.0",
        "nvidia-234",
        "GRID T4-16Q",
        String.format(t4, 4, 60, 16384, "7680x4320", 1),
        1);
    s.vm(
        301,
        vm(
            "CAD workstation on a T4-2Q vGPU created by Proxmox.",
            "cad-t4",
            "hostpci0: 0000:3b:00.0,mdev=nvidia-231",
            "scsi0: local-lvm:vm-301-disk-0,size=128G"));
    s.vm(
        302,
        vm(
            "Render node whose T4-4Q vGPU guesthook creates; its first start fails after pre-start.",
            "render-t4",
            "args: -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/00001000-0000-0000-0000-000000000302 -uuid 00001000-0000-0000-0000-000000000302",
            "scsi0: local-lvm:vm-302-disk-0,size=64G",
            "tags: start-fails-once"));
    s.vmSettings(
        302,
        """
        mdev:
          devices:
            - parent: "0000:3b:00.0"
              type: nvidia-232
        """);
  }

  private static void nvidiaVf(SandboxBuilder s) {
    s.module("nvidia", "nvidia", "10de:1eb8", "10de:26b9");
    s.device(PciDeviceSpec.of("0000:41:00.0", 0x10de, 0x26b9, 0x030200).subsystem(0x10de, 0x1851));
    s.iommuGroup("0000:41:00.0");
    s.resetMethods("0000:41:00.0", "flr", "bus");
    s.sriov("0000:41:00.0", 32, 4, 1, 0x26b9);
    s.nvidiaProfiles(
        "0000:41:00.0",
        1155,
        32,
        "NVIDIA L40S-1B",
        1156,
        24,
        "NVIDIA L40S-2Q",
        1157,
        12,
        "NVIDIA L40S-4Q",
        1158,
        6,
        "NVIDIA L40S-8Q",
        1159,
        2,
        "NVIDIA L40S-24Q",
        1160,
        1,
        "NVIDIA L40S-48Q");
    // /usr/lib/nvidia/sriov-manage -e ALL at boot: the VFs exist before any VM starts.
    s.enableVfs("0000:41:00.0", 16);
    s.vm(
        401,
        vm(
            "Designer VM on an L40S-4Q vGPU on a VF chosen by Proxmox (vGPU 17, PVE 8.3+).",
            "design-l40s",
            "hostpci0: 0000:41:00.4,mdev=nvidia-1157,pcie=1",
            "scsi0: local-lvm:vm-401-disk-0,size=128G"));
    s.vm(
        402,
        vm(
            "AI notebook: guesthook gives it an L40S-8Q vGPU on a free VF of the GPU.",
            "ai-notebook",
            "scsi0: local-lvm:vm-402-disk-0,size=256G"));
    s.vmSettings(
        402,
        """
        mdev:
          devices:
            - parent: "0000:41:00.0"
              type: NVIDIA L40S-8Q
        """);
  }

  private static void sriovNic(SandboxBuilder s) {
    s.module("i40e", "i40e", "8086:1572");
    s.module("iavf", "iavf", "8086:154c");
    for (int fn = 0; fn < 2; fn++) {
      String pf = "0000:03:00." + fn;
      s.device(PciDeviceSpec.of(pf, 0x8086, 0x1572, 0x020000).subsystem(0x8086, 0x0006));
      s.iommuGroup(pf);
      s.resetMethods(pf, "flr", "bus");
      // i40e gives each PF a range of 64 routing ids: PF0's VFs start at 03:02.0, PF1's at 03:0a.0.
      s.sriov(pf, 64, fn == 0 ? 16 : 79, 1, 0x154c);
      s.netdev(pf, "enp3s0f" + fn, "3c:fd:fe:a0:00:0" + fn);
    }
    s.vm(
        501,
        vm(
            "Firewall with VF 1 of port 0, MAC and VLAN set by guesthook.",
            "firewall",
            "hostpci0: 0000:03:02.1,pcie=1",
            "scsi0: local-lvm:vm-501-disk-0,size=16G"));
    s.vmSettings(
        501,
        """
        sriov-vf:
          vfs:
            - hostpci: 0
              pf: "0000:03:00.0"
              numvfs: 4
              mac: "52:54:00:5a:01:01"
              vlan: 100
              trust: true
              spoofchk: false
        """);
    s.vm(
        502,
        vm(
            "Edge router that takes any free VF of port 1; it arrives by live migration.",
            "edge-router",
            "scsi0: ceph-pool:vm-502-disk-0,size=16G",
            "tags: migrate-in"));
    s.vmSettings(
        502,
        """
        sriov-vf:
          vfs:
            - pf: "0000:03:00.1"
              numvfs: 2
              mac: "52:54:00:5a:02:01"
        """);
    s.pciMapping(
        """
        x710-p1-vfs
        	description VFs of the X710's second port
        	map node=pve-sandbox,path=0000:03:0a.0;0000:03:0a.1;0000:03:0a.2;0000:03:0a.3,id=8086:154c,iommugroup=40
        """);
    s.vm(
        504,
        vm(
            "Monitoring probe on a free VF from the x710-p1-vfs resource mapping.",
            "probe",
            "scsi0: local-lvm:vm-504-disk-0,size=8G"));
    s.vmSettings(
        504,
        """
        sriov-vf:
          vfs:
            - mapping: x710-p1-vfs
              pf: "0000:03:00.1"
              numvfs: 4
              vlan: 20
        """);
    s.vm(
        503,
        vm(
            "Trading gateway whose settings ask for a VF the PF cannot have: its pre-start is rolled back.",
            "trading-gateway",
            "cpu: host",
            "scsi0: local-lvm:vm-503-disk-0,size=16G"));
    s.vmSettings(
        503,
        """
        sriov-vf:
          vfs:
            - pf: "0000:03:00.0"
              numvfs: 4
              vf: 70
        """);
  }

  private static void gpuPassthrough(SandboxBuilder s) {
    s.module("amdgpu", "amdgpu", "1002:73bf");
    s.module("snd_hda_intel", "snd_hda_intel", "8086:a348", "1002:ab28");
    s.device(PciDeviceSpec.of("0000:0b:00.0", 0x1002, 0x73bf, 0x030000).subsystem(0x1da2, 0xe438));
    s.device(PciDeviceSpec.of("0000:0b:00.1", 0x1002, 0xab28, 0x040300).subsystem(0x1002, 0xab28));
    s.iommuGroup("0000:0b:00.0", "0000:0b:00.1");
    // No reset method: a bus reset needs the function alone on its bus, and this GPU shares it with
    // its audio function; the AMD reset bug's usual picture.
    s.vm(
        601,
        vm(
            "Gaming VM; the GPU drives the host's desktop whenever the VM is off.",
            "gaming",
            "bios: ovmf",
            "hostpci0: 0000:0b:00,pcie=1,x-vga=1",
            "scsi0: local-lvm:vm-601-disk-0,size=256G"));
    s.vmSettings(
        601,
        """
        gpu-release: {}
        """);
    s.pciMapping(
        """
        rx6800
        \tdescription The Radeon, checked before every start
        \tmap node=pve-sandbox,path=0000:0b:00,id=1002:73bf,subsystem-id=1da2:e438,iommugroup=%s
        """
            .formatted(s.host().sysfs().iommuGroupOf(PciAddress.parse("0b:00.0")).orElseThrow()));
    s.vm(
        602,
        vm(
            "Render node that gets the Radeon through the rx6800 resource mapping.",
            "render-mapped",
            "hostpci0: mapping=rx6800,pcie=1",
            "scsi0: local-lvm:vm-602-disk-0,size=32G"));
  }

  private static void mixed(SandboxBuilder s) {
    gvtg(s);
    nvidiaMdev(s);
    nvidiaVf(s);
    sriovNic(s);
    gpuPassthrough(s);
    s.vm(
        701,
        vm(
            "Hibernated desktop; starting it resumes from the saved state.",
            "desktop",
            "lock: suspended",
            "runningmachine: pc-q35-9.2+pve1",
            "scsi0: local-lvm:vm-701-disk-0,size=64G",
            "vmstate: local-lvm:vm-701-state-suspend-2026-11-20"));
    s.vm(
        702,
        vm(
            "Lab VM with a GVT-g slice that the admin hibernates instead of shutting down.",
            "lab",
            "args: -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/00001000-0000-0000-0000-000000000702",
            "scsi0: local-lvm:vm-702-disk-0,size=32G",
            "tags: hibernate"));
    s.vmSettings(
        702,
        """
        mdev:
          devices:
            - { parent: "0000:00:02.0", type: i915-GVTg_V5_8 }
        """);
    s.vm(
        703,
        vm(
            "Build VM on a qcow2 in 'local': its 8 GiB of memory do not fit there to hibernate.",
            "build",
            "scsi0: local:703/vm-703-disk-0.qcow2,size=32G"));
  }
}
