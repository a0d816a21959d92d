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
// Every entry is checked before anything changes: its PF, the VF count against sriov_totalvfs, the
// VF index, enough free VFs for every entry that takes any free one. A failed start undoes every
// step; at post-stop the
// saved driver and link settings are put back. The VF count is left as is: other VMs may use the VFs.

hook('sriov-vf') {
  order 40
  description 'prepare SR-IOV VFs (count, vfio-pci, MAC/VLAN/trust) before start, restore them after stop'

  settings {
    list('vfs', optional: true, description: 'the VFs to hand to this VM') {
      integer 'hostpci', optional: true, min: 0, max: 31, description: 'the VF named by hostpciN'
      pci 'pf', optional: true, description: 'the physical function whose VF to use'
      integer 'vf', optional: true, min: 0, description: 'VF number of the PF (default: any free one)'
      string 'mapping', optional: true, description: 'a free VF among a PCI resource mapping\'s paths'
      integer 'numvfs', optional: true, min: 1, max: 2048, description: 'the PF gets at least this many VFs'
      mac 'mac', optional: true
      vlan 'vlan', optional: true
      bool 'trust', optional: true
      bool 'spoofchk', optional: true
    }
  }

  check { ev ->
    if (settings.vfs) {
      plan(heldByOthers()).each { p -> pass "${p.where}: ${describePlan(p)}" }
    }
  }

  on('pre-start') { ev ->
    if (!settings.vfs) {
      skip('no sriov-vf.vfs declared for this VM')
    }
    Set taken = heldByOthers()   // read once: other guests' configs, qemu-server's reservations
    List<Map> plan = plan(taken)
    List saved = state.load().vfs ?: []   // kept from an earlier pre-start of this guest, if it still runs
    // Each PF is raised once, to the most VFs any entry asks for, before a VF is bound: raising
    // later would go through 0 VFs and take the VFs already given to this guest with it.
    for (Map.Entry<PciAddress, Integer> raise : raises(plan).entrySet()) {
      int before = sriov.ensureAtLeast(raise.key, raise.value)
      if (before < raise.value) {
        undo("restore ${raise.key} to ${before} VFs") { sriov.setNumVfs(raise.key, before) }
        log.info "${raise.key}: ${before} -> ${raise.value} VFs"
      }
    }
    // VFs the entries name (by hostpci or index) are never handed to an entry that takes any free one.
    Set named = plan.collect { namedVf(it) }.findAll { it != null } as Set
    for (Map p : plan) {
      VirtualFunction vf = choose(p, taken, named)
      taken << vf.address()
      VfLink before = sriov.link(vf)
      DriverName driverBefore = vf.driver().orElse(null)
      VfLink wanted = new VfLink(p.mac ?: before.mac(), p.vlan != null ? p.vlan : before.vlan(),
          p.spoofchk != null ? p.spoofchk : before.spoofchk(), p.trust != null ? p.trust : before.trust())
      sriov.setLink(vf, wanted, before)
      undo("restore link of ${vf.address()}") { sriov.setLink(vf, before) }
      pci.bind(vf.address(), DriverName.VFIO_PCI)
      undo("give ${vf.address()} back to ${driverBefore ?: 'no driver'}") { pci.restore(vf.address(), driverBefore) }
      noteBefore(saved, vf, driverBefore, before)
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

/**
 * Every entry resolved and checked against the host before anything changes (the settings' types
 * were checked before any hook ran): the PF and the VF count it can reach, the VF index, the hostpci
 * entry, the mapping, no VF named twice or held by another guest, and enough free VFs on each PF and
 * in each mapping for the entries that take any free one.
 */
List<Map> plan(Set taken) {
  List<Map> out = []
  settings.vfs.eachWithIndex { Map e, int i ->
    out << planned(e, "sriov-vf.vfs[${i}]")
  }
  Map<PciAddress, Integer> counts = vfCounts(out)
  out.each { p -> checkNamedVf(p, counts, taken) }
  requireDistinctVfs(out)
  requireFreeVfs(out, counts, taken)
  return out
}

Map planned(Map e, String where) {
  Map p = e + [where: where]
  if (p.pf == null && p.hostpci == null && p.mapping == null) {
    throw new IllegalArgumentException("${where}: needs pf, hostpci or mapping")
  }
  if (p.numvfs != null && p.pf == null) {
    throw new IllegalArgumentException("${where}: numvfs needs pf")
  }
  if (p.pf != null && !sriov.isPhysicalFunction(p.pf)) {
    throw new IllegalArgumentException("${where}: pf ${p.pf}: ${pci.exists(p.pf) ? 'not an SR-IOV physical function' : 'no such PCI device on this host'}")
  }
  if (p.hostpci != null) {
    def h = hostpci.find { it.index() == p.hostpci }
    if (h == null || h.functions().size() != 1) {
      throw new IllegalArgumentException("${where}: hostpci: the VM has no hostpci${p.hostpci} naming one PCI function")
    }
    p.hostpci = h.functions()[0]
    def vf = sriov.asVf(p.hostpci).orElse(null)
    if (vf != null && p.pf != null && vf.pf() != p.pf) {
      throw new IllegalArgumentException("${where}: hostpci ${p.hostpci} is a VF of ${vf.pf()}, not of pf ${p.pf}")
    }
  }
  if (p.mapping != null) {
    def mapping = pve.pciMappings()[p.mapping]
    if (mapping == null) {
      throw new IllegalArgumentException("${where}: mapping '${p.mapping}' is not in /etc/pve/mapping/pci.cfg")
    }
    p.candidates = mapping.on(event.node()).collectMany { it.functions() }
    if (!p.candidates) {
      throw new IllegalArgumentException("${where}: mapping '${p.mapping}' has no device on node ${event.node()}")
    }
  }
  return p
}

/** The VF count each PF will have: the most any entry asks for, or what it has; each raise checked. */
Map<PciAddress, Integer> vfCounts(List<Map> plan) {
  Map<PciAddress, Integer> counts = [:]
  plan.findAll { it.pf != null }.groupBy { it.pf }.each { PciAddress pf, List<Map> entries ->
    Map most = entries.findAll { it.numvfs != null }.max { it.numvfs }
    if (most != null) {
      sriov.whyNotRaise(pf, most.numvfs).ifPresent { throw new IllegalArgumentException("${most.where}: numvfs: ${it}") }
    }
    counts[pf] = Math.max(most?.numvfs ?: 0, sriov.numVfs(pf))
  }
  return counts
}

/** The PFs whose VF count the pre-start raises, and to what. */
Map<PciAddress, Integer> raises(List<Map> plan) {
  Map<PciAddress, Integer> out = [:]
  plan.findAll { it.numvfs != null }.each { p -> out[p.pf] = Math.max(out[p.pf] ?: 0, p.numvfs) }
  return out
}

/** A VF named by index must be in range, and one that exists now must not be another guest's. */
void checkNamedVf(Map p, Map<PciAddress, Integer> counts, Set taken) {
  if (p.vf != null) {
    if (p.vf >= counts[p.pf]) {
      throw new IllegalArgumentException("${p.where}: vf ${p.vf} out of range: ${p.pf} will have ${counts[p.pf]} VFs (sriov_totalvfs ${sriov.totalVfs(p.pf)})")
    }
    p.address = p.vf < sriov.numVfs(p.pf) ? sriov.vf(p.pf, p.vf).address() : null
  } else if (p.hostpci) {
    p.address = p.hostpci
  }
  if (p.address != null && sriov.isTaken(p.address, taken)) {
    throw new DeviceException("${p.where}: ${p.address} is another guest's (its hostpciN, qemu-server's reservation or guesthook's journal); name another VF, or leave vf out for a free one")
  }
}

/** Two entries of this guest never name the same VF. */
void requireDistinctVfs(List<Map> plan) {
  Map named = [:]
  plan.each { p ->
    String key = (p.address ?: (p.vf != null ? "${p.pf} VF ${p.vf}" : null))?.toString()
    if (key != null && named.containsKey(key)) {
      throw new IllegalArgumentException("${p.where}: names the same VF as ${named[key]}")
    }
    if (key != null) {
      named[key] = p.where
    }
  }
}

/**
 * Entries that take any free VF of a PF, or of a mapping, must find that many: free now (not on
 * vfio-pci, not another guest's, not named by another entry), counting the VFs a raise adds or a
 * mapping's paths that do not exist yet.
 */
void requireFreeVfs(List<Map> plan, Map<PciAddress, Integer> counts, Set taken) {
  Set named = (taken + plan.findAll { it.address != null }*.address) as Set
  plan.findAll { it.pf != null && it.vf == null && !it.hostpci && !it.candidates }.groupBy { it.pf }.each { pf, entries ->
    int free = sriov.freeCount(sriov.vfs(pf), named) + counts[pf] - sriov.numVfs(pf)
    if (free < entries.size()) {
      throw new DeviceException("${entries[0].where}: ${pf} has ${free} free VF(s), ${entries.size()} asked for; raise its VF count (numvfs)")
    }
  }
  plan.findAll { it.candidates }.groupBy { it.mapping }.each { mapping, entries ->
    List<PciAddress> paths = entries[0].candidates
    List existing = paths.collect { sriov.asVf(it).orElse(null) }.findAll { it != null }
    int free = sriov.freeCount(existing, named) + paths.count { !pci.exists(it) }
    if (free < entries.size()) {
      throw new DeviceException("${entries[0].where}: mapping '${mapping}' has ${free} free VF(s) on this node, ${entries.size()} asked for")
    }
  }
}

String describePlan(Map p) {
  if (p.hostpci) {
    return "hostpci VF ${p.hostpci}"
  }
  if (p.candidates) {
    return "a free VF of mapping ${p.mapping}"
  }
  return (p.vf != null ? "VF ${p.vf}" : 'a free VF') + " of ${p.pf}" + (p.numvfs ? " (at least ${p.numvfs} VFs)" : '')
}

/** The VF an entry names, by hostpci or by index, once the PF has its VFs; none for a free one. */
PciAddress namedVf(Map p) {
  p.hostpci ?: (p.vf != null ? sriov.vf(p.pf, p.vf).address() : null)
}

/**
 * Notes how a VF was before this guest took it, for post-stop. A VF an earlier pre-start of this
 * guest already took (the guest still runs, or is starting) keeps that note: it is on vfio-pci with
 * this guest's link now, which is not what post-stop should put back.
 */
void noteBefore(List saved, VirtualFunction vf, DriverName driverBefore, VfLink before) {
  if (!saved.any { it.address == vf.address().value() }) {
    saved << [pf: vf.pf().value(), index: vf.index(), address: vf.address().value(),
              driver: driverBefore?.value(), link: before.toMap()]
  }
}

/** The VF of an entry; a VF named by hostpci or index must not be one another guest (or entry) has. */
VirtualFunction choose(Map p, Set taken, Set named) {
  if (p.hostpci) {
    VirtualFunction vf = sriov.asVf(p.hostpci).orElseThrow {
      new DeviceException("${p.where}: ${p.hostpci} (hostpci) is not a VF on this host${p.pf ? ' after enabling VFs on ' + p.pf : ''}")
    }
    return claimed(p, vf, taken)
  }
  if (p.candidates) {
    return sriov.freeVf(p.candidates, (taken + named) as Set)
  }
  return p.vf != null ? claimed(p, sriov.vf(p.pf, p.vf), taken) : sriov.freeVf(p.pf, (taken + named) as Set)
}

VirtualFunction claimed(Map p, VirtualFunction vf, Set taken) {
  try {
    return sriov.claim(vf, taken)
  } catch (DeviceException e) {
    throw new DeviceException("${p.where}: ${e.message}")
  }
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
