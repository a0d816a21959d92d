// pci-mapping: refuse to start a VM whose mapped PCI devices no longer match their resource mapping.
//
// For hostpciN: mapping=<id>, Proxmox checks this node's entries of /etc/pve/mapping/pci.cfg against
// the hardware (vendor:device id, subsystem id, IOMMU group, mdev capability) and stops at the first
// difference. This hook runs the same check first, before any other hook changes the host, and names
// every difference, so a replaced or moved card never has a wrong device handed to a VM.
hook('pci-mapping') {
  order 5
  description 'check mapped PCI devices against their resource mapping before start'

  on('pre-start') { ev ->
    List mapped = hostpci.findAll { it.mapping().isPresent() }
    if (!mapped) {
      skip('the VM uses no PCI resource mapping')
    }
    Map mappings = pve.pciMappings()
    MappingCheck check = new MappingCheck(host)
    List<String> problems = []
    for (h in mapped) {
      String id = h.mapping().get()
      String where = "hostpci${h.index()} (mapping '${id}')"
      PciMapping mapping = mappings[id]
      if (mapping == null) {
        problems << "${where}: not in /etc/pve/mapping/pci.cfg"
        continue
      }
      List entries = mapping.on(ev.node())
      if (!entries) {
        problems << "${where}: no entry for node ${ev.node()}"
        continue
      }
      for (entry in entries) {
        check.differences(mapping, entry).each { problems << "${where}: ${it}".toString() }
      }
      if (!problems) {
        log.info "${where}: ${entries*.paths().flatten().join(', ')} match"
      }
    }
    if (problems) {
      throw new DeviceException('PCI device mapping invalid (hardware probably changed): ' + problems.join('; '))
    }
  }
}
