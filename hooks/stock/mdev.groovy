// mdev: the mediated devices and vGPUs a VM needs, made before it starts and removed after it stops.
//
// Covers both ways a host offers vGPUs: mdev types (Intel GVT-g, NVIDIA before vGPU 17) and NVIDIA
// vGPU 17+ VFs (nvidia/current_vgpu_type); the host decides which. Declared in the VM's own settings,
// /etc/pve/guesthook/<vmid>.yaml, for devices handed to QEMU through args:
//
//   mdev:
//     devices:
//       - parent: "0000:00:02.0"     # the GPU
//         type: i915-GVTg_V5_4       # mdev type or its name ("GRID T4-2Q"), or NVIDIA profile ("NVIDIA L40S-4Q", 1157)
//         uuid: optional             # default 0000100N-0000-0000-0000-<vmid>, N = position in the list
//
// Before anything changes, the whole list is checked against the host: every type offered, enough
// free instances (or vGPU VFs) for all of them. A start that cannot be satisfied changes nothing.
// At pre-start, leftovers of this VM (from a crash, or a Proxmox mdev of another type under this VM's
// UUID, which would abort the start) are removed first. At post-stop, what pre-start made is removed,
// and so are the instances Proxmox made for hostpciN: ...,mdev=TYPE when Proxmox left them behind.

hook('mdev') {
  order 30
  description 'create the VM\'s mdev / vGPU instances before start, remove them after stop'

  settings {
    list('devices', optional: true, description: 'the mdev / vGPU instances to make for this VM') {
      pci 'parent', description: 'the GPU'
      string 'type', description: 'mdev type, its name, or NVIDIA vGPU profile'
      uuid 'uuid', optional: true, description: 'default 0000100N-0000-0000-0000-<vmid>'
    }
  }

  check { ev ->
    List<Map> declared = plan()
    if (declared) {
      pass "${declared.size()} instance(s) fit: " + declared.collect { "${it.type} on ${it.parent}" }.join(', ')
    }
  }

  on('pre-start') { ev ->
    List<Map> declared = plan()
    releaseSaved('left over from an earlier start')
    removeStaleInstances(declared)
    if (!declared) {
      skip('no mdev.devices declared for this VM')
    }
    Set taken = [] as Set
    List saved = []
    for (Map d : declared) {
      Vgpu made = vgpu.create(d.parent, d.type, d.uuid, taken)
      made.vf().ifPresent { taken << it }
      undo("release ${made.device()}") { vgpu.release(made) }
      saved << describe(made)
      state.save([vgpus: saved])
      log.info "${d.parent}: ${made.model() == Vgpu.Model.MDEV ? 'mdev' : 'vGPU on VF'} ${made.device()} (${d.type})"
    }
  }

  on('post-stop') { ev ->
    int released = releaseSaved('made at pre-start')
    for (h in hostpci.findAll { it.mdev().isPresent() }) {
      Uuid uuid = proxmoxUuid(h.index())
      if (mdev.remove(uuid)) {
        log.info "removed ${uuid} (hostpci${h.index()}, mdev=${h.mdev().get()}) that Proxmox left behind"
        released++
      }
      for (vf in h.functions()) {
        if (pci.exists(vf) && nvidia.hasVfInterface(vf) && "nvidia-${nvidia.currentType(vf)}" == h.mdev().get()) {
          nvidia.release(vf)
          log.info "released vGPU type ${h.mdev().get()} on ${vf} (hostpci${h.index()}) that Proxmox left set"
          released++
        }
      }
    }
    if (released == 0) {
      skip('no mdev or vGPU of this VM to remove')
    }
  }
}

/**
 * The declared devices with their UUIDs, checked against the host before anything changes: every
 * type offered and enough free for all of them, counting this VM's own leftovers as free.
 */
List<Map> plan() {
  List<Map> declared = []
  settings.devices.eachWithIndex { Map d, int i ->
    declared << [parent: d.parent, type: d.type, uuid: d.uuid ?: Uuid.proxmox(vmid, 1000 + i)]
  }
  if (!declared) {
    return declared
  }
  List saved = savedVgpus()
  Set<Uuid> leftovers = (staleInstances(declared)*.uuid() + saved.findAll { it.uuid }.collect { Uuid.parse(it.uuid) }) as Set
  Set<PciAddress> leftoverVfs = saved.findAll { it.vf }.collect { pciAddress(it.vf) } as Set
  vgpu.whyNotFit(declared.collect { new Vgpus.Request(it.parent, it.type) }, leftovers, leftoverVfs).ifPresent {
    throw new DeviceException("mdev.devices: ${it}; nothing was changed")
  }
  return declared
}

List<Map> savedVgpus() {
  state.load().vgpus ?: []
}

/** Instances under this VM's UUIDs that would get in the way of this start. */
List<MdevInstance> staleInstances(List<Map> declared) {
  Set<Uuid> ours = declared*.uuid as Set
  mdev.instances().findAll { instance ->
    def owner = instance.uuid().proxmoxOwner().orElse(null)
    if (owner == null || owner.vmid() != vmid) {
      return false
    }
    def h = hostpci.find { it.index() == owner.index() && it.mdev().isPresent() }
    boolean proxmoxOfOtherType = h != null && h.mdev().get() != instance.type().value()
    boolean oursLeftOver = owner.index() >= 1000 && (ours.contains(instance.uuid()) || h == null)
    return proxmoxOfOtherType || oursLeftOver
  }
}

void removeStaleInstances(List<Map> declared) {
  for (MdevInstance instance : staleInstances(declared)) {
    mdev.remove(instance.uuid())
    log.info "removed leftover ${instance.uuid()} (${instance.type()} on ${instance.parent()})"
  }
}

Map describe(Vgpu v) {
  [model: v.model().name(), gpu: v.gpu().value(), type: v.type(),
   uuid: v.uuid().map { it.value() }.orElse(null), vf: v.vf().map { it.value() }.orElse(null)]
}

/** Releases what the saved state says this hook made; returns how many. */
int releaseSaved(String why) {
  List saved = savedVgpus()
  for (Map v : saved.reverse()) {
    if (v.uuid) {
      if (mdev.remove(Uuid.parse(v.uuid))) {
        log.info "removed mdev ${v.uuid} (${why})"
      }
    } else if (pci.exists(pciAddress(v.vf))) {
      nvidia.release(pciAddress(v.vf))
      log.info "released vGPU on ${v.vf} (${why})"
    }
  }
  state.clear()
  return saved.size()
}
