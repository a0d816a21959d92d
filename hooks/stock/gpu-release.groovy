// gpu-release: whole-device passthrough of a GPU the host also uses. Before the VM starts, each
// passed-through function (and the rest of its IOMMU group) goes to vfio-pci; after the VM stops,
// each goes back to the host driver it had. Binding is by driver_override, as driverctl does: Proxmox
// binds by new_id and never gives a GPU back, which leaves the host's display dark.
//
// In the VM's own settings, /etc/pve/guesthook/<vmid>.yaml:
//
//   gpu-release: {}                  # on; hostpciN entries without mdev= or mapping= are covered
//   gpu-release:
//     driver: amdgpu                 # for a display function that was on vfio-pci already at boot

hook('gpu-release') {
  order 50
  description 'take passed-through GPUs from the host driver before start, give them back after stop'

  settings {
    driver 'driver', optional: true, description: 'host driver for a display function found on vfio-pci at pre-start'
  }

  on('pre-start') { ev ->
    List<PciAddress> functions = passthroughFunctions()
    if (!functions) {
      skip('the VM passes through no whole PCI device')
    }
    Map saved = state.load().devices ?: [:]
    for (PciAddress address : functions) {
      DriverName before = pci.driver(address).orElse(null)
      if (before != DriverName.VFIO_PCI) {
        saved[address.value()] = before?.value()
      }
      pci.bind(address, DriverName.VFIO_PCI)
      undo("give ${address} back to ${before ?: 'no driver'}") { pci.restore(address, before) }
      state.save([devices: saved])
      log.info "${address}: ${before ?: 'no driver'} -> vfio-pci"
    }
  }

  on('post-stop') { ev ->
    Map saved = state.load().devices ?: [:]
    String fallback = settings.driver?.value()
    List<PciAddress> functions = passthroughFunctions()
    if (!functions) {
      skip('the VM passes through no whole PCI device')
    }
    for (PciAddress address : functions) {
      String wanted = saved.containsKey(address.value()) ? saved[address.value()]
          : (pci.info(address).classCode() >> 16 == 0x03 ? fallback : null)
      if (!wanted) {
        log.info "${address}: no host driver known; left on ${pci.driver(address).map { it.value() }.orElse('no driver')}"
        continue
      }
      pci.release(address, driver(wanted))
      log.info "${address}: back to ${wanted}"
    }
    state.clear()
  }
}

/** The functions of hostpciN entries that pass whole devices, with their IOMMU group's endpoints. */
List<PciAddress> passthroughFunctions() {
  Set<PciAddress> out = new TreeSet<>()
  for (h in hostpci.findAll { !it.mdev().isPresent() && !it.mapping().isPresent() }) {
    List<PciAddress> named = h.functions() + h.slots().collectMany { pci.functions(it) }
    for (PciAddress address : named) {
      def info = pci.info(address)
      if (info.isVirtualFunction()) {
        continue // VFs are the sriov-vf hook's
      }
      out << address
      info.groupMembers().findAll { !pci.info(it).isBridge() }.each { out << it }
    }
  }
  return out as List
}
