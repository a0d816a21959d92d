// pci-mapping: refuse to start a VM whose mapped PCI devices no longer match their resource mapping.
//
// For hostpciN: mapping=<id>, Proxmox checks this node's entries of /etc/pve/mapping/pci.cfg against
// the hardware (vendor:device id, subsystem id, IOMMU group, mdev capability) and stops at the first
// difference. This hook runs the same check first, before any other hook changes the host, and names
// every difference, in Proxmox's words (qemu-server's parse_hostpci, pve-guest-common's assert_valid)
// followed by the hostpciN it concerns, so a replaced or moved card never has a wrong device handed to a VM.
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
      Optional<String> refusal = check.refusal(id, mappings, ev.node())
      if (refusal.isPresent()) {
        problems << "${refusal.get()} (hostpci${h.index()})".toString()
      } else {
        log.info "hostpci${h.index()} (mapping '${id}'): ${mappings[id].on(ev.node())*.paths().flatten().join(', ')} match"
      }
    }
    if (problems) {
      throw new DeviceException(problems.join('; '))
    }
  }
}
