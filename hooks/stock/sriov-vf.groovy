// sriov-vf: SR-IOV virtual functions for a VM: enough VFs on the PF, the VF on vfio-pci with the MAC,
// VLAN, trust and spoof checking it should have; after the VM stops, the VF as it was found.
//
// In the VM's own settings, /etc/pve/guesthook/<vmid>.yaml:
//
//   sriov-vf:
//     vfs:
//       - hostpci: 0                 # the VF named by hostpci0 ...
//         pf: "0000:03:00.0"         # ... of this PF (needed when the VF must first be created)
//         numvfs: 4                  # the PF gets at least this many VFs (through 0, as the kernel requires)
//         mac: "52:54:00:5a:01:01"   # optional link settings
//         vlan: 100
//         trust: true
//         spoofchk: false
//       - pf: "0000:03:00.1"         # or VF number `vf: 2` of a PF, or (neither) any free VF of it
//       - mapping: x710-p1-vfs       # or a free VF among a resource mapping's paths on this node
//
// A free VF is one not bound to vfio-pci, not reserved by qemu-server for another running guest and
// not named by another guest's hostpciN.
//
// Every entry is checked before anything changes. A failed start undoes every step; at post-stop the
// saved driver and link settings are put back. The VF count is left as is: other VMs may use the VFs.

hook('sriov-vf') {
  order 40
  description 'prepare SR-IOV VFs (count, vfio-pci, MAC/VLAN/trust) before start, restore them after stop'

  on('pre-start') { ev ->
    List<Map> plan = plan()
    if (!plan) {
      skip('no sriov-vf.vfs declared for this VM')
    }
    Set taken = heldByOthers()
    List saved = []
    for (Map p : plan) {
      if (p.numvfs) {
        int before = sriov.ensureAtLeast(p.pf, p.numvfs)
        if (before < p.numvfs) {
          undo("restore ${p.pf} to ${before} VFs") { sriov.setNumVfs(p.pf, before) }
          log.info "${p.pf}: ${before} -> ${p.numvfs} VFs"
        }
      }
      VirtualFunction vf = choose(p, taken)
      taken << vf.address()
      VfLink before = sriov.link(vf)
      DriverName driverBefore = vf.driver().orElse(null)
      VfLink wanted = new VfLink(p.mac ?: before.mac(), p.vlan != null ? p.vlan : before.vlan(),
          p.spoofchk != null ? p.spoofchk : before.spoofchk(), p.trust != null ? p.trust : before.trust())
      sriov.setLink(vf, wanted, before)
      undo("restore link of ${vf.address()}") { sriov.setLink(vf, before) }
      pci.bind(vf.address(), DriverName.VFIO_PCI)
      undo("give ${vf.address()} back to ${driverBefore ?: 'no driver'}") { pci.restore(vf.address(), driverBefore) }
      saved << [pf: vf.pf().value(), index: vf.index(), address: vf.address().value(),
                driver: driverBefore?.value(), link: before.toMap()]
      state.save([vfs: saved])
      log.info "${vf.address()} (VF ${vf.index()} of ${vf.pf()}): vfio-pci, mac ${wanted.mac()}, vlan ${wanted.vlan()}"
    }
  }

  on('post-stop') { ev ->
    List saved = state.load().vfs ?: []
    if (!saved) {
      skip('nothing saved at pre-start for this VM')
    }
    for (Map s : saved.reverse()) {
      def address = pciAddress(s.address)
      def vf = pci.exists(address) ? sriov.asVf(address).orElse(null) : null
      if (vf == null) {
        log.warn "${s.address} is gone (VF count changed?); nothing to restore"
        continue
      }
      pci.restore(address, s.driver ? driver(s.driver) : null)
      sriov.setLink(vf, VfLink.fromMap(s.link))
      log.info "${s.address}: back to ${s.driver ?: 'no driver'}, mac ${s.link.mac}, vlan ${s.link.vlan}"
    }
    state.clear()
  }
}

/** Every entry checked and typed; the first bad one fails the start before anything changed. */
List<Map> plan() {
  def list = settings.vfs
  if (list == null) {
    return []
  }
  if (!(list instanceof List)) {
    throw new IllegalArgumentException('sriov-vf.vfs must be a list')
  }
  List<Map> out = []
  list.eachWithIndex { e, i ->
    String where = "sriov-vf.vfs[${i}]"
    if (!(e instanceof Map)) {
      throw new IllegalArgumentException("${where}: expected a map with pf, hostpci, vf, numvfs, mac, vlan, trust, spoofchk")
    }
    Map p = [where: where]
    checked(where) {
      p.pf = e.pf ? pciAddress(e.pf) : null
      p.mac = e.mac ? mac(e.mac) : null
      p.vlan = e.vlan != null ? (e.vlan as int) : null
      if (p.vlan != null && (p.vlan < 0 || p.vlan > 4094)) {
        throw new IllegalArgumentException("vlan ${p.vlan}: expected 0 (none) to 4094")
      }
      p.numvfs = e.numvfs != null ? (e.numvfs as int) : null
      p.vf = e.vf != null ? (e.vf as int) : null
      p.trust = e.trust != null ? (e.trust as boolean) : null
      p.spoofchk = e.spoofchk != null ? (e.spoofchk as boolean) : null
      if (e.hostpci != null) {
        def h = hostpci.find { it.index() == (e.hostpci as int) }
        if (h == null || h.functions().size() != 1) {
          throw new IllegalArgumentException("hostpci: the VM has no hostpci${e.hostpci} naming one PCI function")
        }
        p.hostpci = h.functions()[0]
      }
      if (e.mapping != null) {
        def mapping = pve.pciMappings()[String.valueOf(e.mapping)]
        if (mapping == null) {
          throw new IllegalArgumentException("mapping '${e.mapping}' is not in /etc/pve/mapping/pci.cfg")
        }
        p.candidates = mapping.on(event.node()).collectMany { it.functions() }
        if (!p.candidates) {
          throw new IllegalArgumentException("mapping '${e.mapping}' has no device on node ${event.node()}")
        }
      }
      if (p.pf == null && p.hostpci == null && p.candidates == null) {
        throw new IllegalArgumentException('needs pf, hostpci or mapping')
      }
      if (p.numvfs != null && p.pf == null) {
        throw new IllegalArgumentException('numvfs needs pf')
      }
      if (p.pf != null && !sriov.isPhysicalFunction(p.pf)) {
        throw new IllegalArgumentException("pf ${p.pf}: ${pci.exists(p.pf) ? 'not an SR-IOV physical function' : 'no such PCI device on this host'}")
      }
      if (p.vf != null && p.pf != null && p.vf >= Math.max(p.numvfs ?: 0, sriov.numVfs(p.pf))) {
        throw new IllegalArgumentException("vf ${p.vf} out of range: ${p.pf} will have ${Math.max(p.numvfs ?: 0, sriov.numVfs(p.pf))} VFs (sriov_totalvfs ${sriov.totalVfs(p.pf)})")
      }
    }
    out << p
  }
  return out
}

VirtualFunction choose(Map p, Set taken) {
  if (p.hostpci) {
    return sriov.asVf(p.hostpci).orElseThrow {
      new DeviceException("${p.where}: ${p.hostpci} (hostpci) is not a VF on this host${p.pf ? ' after enabling VFs on ' + p.pf : ''}")
    }
  }
  if (p.candidates) {
    return sriov.freeVf(p.candidates, taken)
  }
  return p.vf != null ? sriov.vf(p.pf, p.vf) : sriov.freeVf(p.pf, taken)
}

/** Devices another guest holds: reserved by qemu-server for it, or named by its hostpciN. */
Set heldByOthers() {
  Set held = [] as Set
  pve.pciReservations(event.time()).each { address, owner -> if (owner != vmid) held << address }
  for (other in pve.qemuGuests()) {
    if (other == vmid) {
      continue
    }
    try {
      Hostpci.of(pve.config(other)).each { held.addAll(it.functions()) }
    } catch (Exception e) {
      log.warn "cannot read the config of VM ${other} to avoid its devices: ${e.message}"
    }
  }
  return held
}
