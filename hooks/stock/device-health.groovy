import java.time.Duration

// device-health: the health gate. Before any hook changes the host, each PCI function the VM is about
// to get is checked, and a function that would fail the start (or the guest) refuses it, naming the
// function, the check and the fix; nothing is changed. `guesthook check <vmid>` reports the same.
//
// The functions: those of every hostpciN (host= and mapping=, VFs included), and the parents of
// hostpciN mdev= and of the mdev hook's devices. The checks (devices.DeviceHealth says why each):
//   config-space  its config space answers (does not read all ones; sysfs's ids are cached)
//   power-state   power_state is not error, nor D3cold after a config read has woken it
//   driver       an mdev parent has its host driver; no driver_override pins a whole device or VF
//                to another driver than vfio-pci where Proxmox, not our hooks, binds it
//   iommu-group   it has an IOMMU group, and no other endpoint of the group stays on a host driver
//                (unless gpu-release takes the group)
//   leftovers    no mdev of another guest left on an mdev parent: one whose guest neither runs nor is
//                starting (qemu-server's reservation, or guesthook's ledger of its pre-start); NVIDIA's
//                driver removes its own late, so its are waited for, as qemu-server waits at stop
//
// On for every VM that gets a PCI device; in the VM's own settings, /etc/pve/guesthook/<vmid>.yaml:
//
//   device-health: { power-state: false }   # one check off
//   device-health: { enabled: false }      # the whole gate off

hook('device-health') {
  order 7   // after pci-mapping (5), before every hook that changes the host
  description 'check each PCI device the VM gets before start: it answers, its power state, driver, IOMMU group, no other guest\'s mdev left'

  settings {
    bool 'enabled', default: true, description: 'false turns the whole gate off for this VM'
    bool 'config-space', default: true, description: 'config space answers (does not read all ones)'
    bool 'power-state', default: true, description: 'power_state is not error, nor D3cold after a config read'
    bool 'driver', default: true, description: 'an mdev parent has its host driver; no driver_override pins a device elsewhere'
    bool 'iommu-group', default: true, description: 'an IOMMU group, with no other member on a host driver'
    bool 'leftovers', default: true, description: 'no mdev of another guest, not running, on an mdev parent'
    integer 'cleanup-wait', default: 10, min: 0, max: 10, description: 'seconds to wait for NVIDIA\'s driver to remove another guest\'s mdev'
  }

  check { ev ->
    if (!settings.enabled) {
      pass 'turned off for this VM (device-health.enabled: false)'
      return
    }
    List<Map> targets = healthTargets(ev)
    // check does not wait for NVIDIA's cleanup: it reports what a start would find at once
    List<String> found = healthProblems(targets, Duration.ZERO)
    found.each { fail it }
    if (targets && !found) {
      pass healthySummary(targets)
    }
  }

  on('pre-start') { ev ->
    if (!settings.enabled) {
      skip('turned off for this VM (device-health.enabled: false)')
    }
    List<Map> targets = healthTargets(ev)
    if (!targets) {
      skip(hostpci || settingsOf('mdev').devices ? 'none of the VM\'s PCI functions is on the host yet (sriov-vf makes its VFs; Proxmox refuses a missing device)'
                                                 : 'the VM gets no PCI device')
    }
    List<String> found = healthProblems(targets, Duration.ofSeconds(settings['cleanup-wait'] as long))
    if (found) {
      throw new DeviceException(found.join(' / ') + ' (nothing was changed)')
    }
    log.info healthySummary(targets)
  }
}

String healthySummary(List<Map> targets) {
  "${targets*.device.unique().size()} PCI function(s) healthy: " + targets.collect { "${it.device} (${it.where})" }.unique().join(', ')
}

/**
 * The functions the VM gets, each [device, role, where, movedByHook, groupTaken, keep]. Functions not
 * there (yet: a VF the sriov-vf hook makes) are left to the hooks and Proxmox that name them.
 */
List<Map> healthTargets(ev) {
  DeviceHealth health = new DeviceHealth(host)
  Set<Integer> vfsOfSriovHook = (settingsOf('sriov-vf').vfs ?: []).findAll { it.hostpci != null }.collect { it.hostpci as Integer } as Set
  List<Map> out = []
  for (h in hostpci) {
    String where = "hostpci${h.index()}"
    if (h.mapping().isPresent()) {
      out.addAll(mappedFunctions(h, ev.node()).collect { wholeOrVf(health, it, where, false, false, vfsOfSriovHook.contains(h.index())) })
    } else if (h.mdev().isPresent()) {
      h.functions().findAll { pci.exists(it) }.each { p ->
        boolean vgpuVf = nvidia.hasVfInterface(p)   // vGPU 17: the VF itself, its type set by Proxmox
        out << (vgpuVf ? [device: p, role: DeviceHealth.Role.VF, where: where, movedByHook: true, groupTaken: false, vgpu: true]
                       : [device: p, role: DeviceHealth.Role.MDEV_PARENT, where: where])
      }
    } else {
      boolean keep = h.options()['driver'] == 'keep'
      List<PciAddress> named = h.functions() + h.slots().collectMany { pci.functions(it) }
      named.findAll { pci.exists(it) }.each { f ->
        // gpu-release takes a whole device and its group to vfio-pci by driver_override; sriov-vf its VFs
        out << wholeOrVf(health, f, where, !keep, keep, vfsOfSriovHook.contains(h.index())) + [keep: keep]
      }
    }
  }
  (settingsOf('mdev').devices ?: []).eachWithIndex { Map d, int i ->
    if (pci.exists(d.parent)) {
      out << [device: d.parent, role: DeviceHealth.Role.MDEV_PARENT, where: "mdev.devices[${i}]"]
    }
  }
  return out.unique { [it.device, it.role] }
}

/** A function of a whole-device entry: a VF is the sriov-vf hook's, anything else gpu-release's. */
Map wholeOrVf(DeviceHealth health, PciAddress f, String where, boolean takenByGpuRelease, boolean keep, boolean sriovHookVf) {
  boolean vf = health.wholeOrVf(f) == DeviceHealth.Role.VF
  return [device: f, role: vf ? DeviceHealth.Role.VF : DeviceHealth.Role.WHOLE, where: where,
          movedByHook: vf ? sriovHookVf : takenByGpuRelease, groupTaken: !vf && takenByGpuRelease, keep: keep]
}

/** A mapping's functions on this node; a mapping pci-mapping refuses gives none (that hook says why). */
List<PciAddress> mappedFunctions(h, String node) {
  def mapping = pve.pciMappings()[h.mapping().get()]
  if (mapping == null || mapping.refusalOn(node).isPresent()) {
    return []
  }
  mapping.on(node).collectMany { entry ->
    entry.paths().collectMany { path -> path.contains('.') ? [pciAddress(path)] : pci.functions(path.length() == 7 ? "0000:${path}" : path) }
  }.findAll { pci.exists(it) }
}

/**
 * Whether another guest still holds its mdev on {@code parent}: it runs, or it is starting (its
 * QEMU not up yet): qemu-server reserved the parent for it, or guesthook's ledger notes what its
 * pre-start made. Only what none of these claims is left behind.
 */
boolean holds(VmId other, PciAddress parent) {
  pve.isRunning(other) || pve.pciReservations(event.time()).get(parent) == other || devices.notedFor(other, parent)
}

/** Every problem of every target, each a line naming the function, where the VM names it, the check and the fix. */
List<String> healthProblems(List<Map> targets, Duration cleanupWait) {
  DeviceHealth health = new DeviceHealth(host)
  Set<PciAddress> guestFunctions = targets.findAll { it.role != DeviceHealth.Role.MDEV_PARENT }*.device as Set
  List<String> found = []
  long waitUntil = System.nanoTime() + cleanupWait.toNanos()
  for (Map t : targets) {
    List<DeviceHealth.Problem> problems = []
    health.wedged(t.device).ifPresent { problems << it }   // always: nothing else is read from it
    if (!problems && settings['config-space']) {
      health.configSpace(t.device).ifPresent { problems << it }
    }
    if (!problems) {   // a function that does not answer says nothing true about the rest
      if (settings['power-state']) {
        health.powerState(t.device).ifPresent { problems << it }
      }
      if (settings.driver && !t.keep) {
        health.driver(t.device, t.role, t.movedByHook as boolean).ifPresent { problems << it }
      }
      if (settings['iommu-group'] && t.role != DeviceHealth.Role.MDEV_PARENT) {
        health.iommuGroup(t.device, guestFunctions, t.groupTaken as boolean).ifPresent { problems << it }
      }
      if (settings.leftovers && t.vgpu) {
        Duration left = Duration.ofNanos(Math.max(0L, waitUntil - System.nanoTime()))
        health.vgpuLeftover(t.device, left).ifPresent { problems << it }
      }
      if (settings.leftovers && t.role == DeviceHealth.Role.MDEV_PARENT) {
        // One wait for all parents, so several with leftovers still answer within the hook's time
        Duration left = Duration.ofNanos(Math.max(0L, waitUntil - System.nanoTime()))
        health.leftovers(t.device, vmid, { VmId other -> holds(other, t.device) }, left).ifPresent { problems << it }
      }
    }
    problems.each { found << "${it.device()} (${t.role} of ${t.where}): ${it.check()}: ${it.what()}; fix: ${it.fix()}".toString() }
  }
  return found
}
