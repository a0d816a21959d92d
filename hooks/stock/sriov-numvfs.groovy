// sriov-numvfs: make sure a physical function has enough SR-IOV virtual functions before a VM that
// uses one of them starts, and put the count back if the start is aborted.
//
// The kernel refuses to change a non-zero VF count directly (EBUSY), so the count goes through 0.
//
// Settings, in /etc/guesthook/guesthook.yaml:
//   vms:
//     "102":
//       sriov-numvfs:
//         pf: "0000:03:00.0"    # the physical function
//         numvfs: 4             # at least this many VFs
hook('sriov-numvfs') {
  order 20
  description 'enable SR-IOV VFs on a PF before start'

  on('pre-start') { ev ->
    if (!settings.pf) {
      skip('no sriov-numvfs.pf set for this VM')
    }
    String pf = settings.pf
    if (!(pf ==~ /[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]/)) {
      throw new IllegalArgumentException("sriov-numvfs.pf '${pf}' is not a PCI address like 0000:03:00.0")
    }
    int wanted = (settings.numvfs ?: 1) as int
    String device = "/sys/bus/pci/devices/${pf}"
    int total = read("${device}/sriov_totalvfs").trim() as int
    if (wanted > total) {
      throw new IllegalArgumentException("${pf} supports ${total} VFs, ${wanted} asked for")
    }
    int before = read("${device}/sriov_numvfs").trim() as int
    if (before >= wanted) {
      log.info "${pf} already has ${before} VFs"
      return
    }
    if (before > 0) {
      write "${device}/sriov_numvfs", 0
    }
    undo("restore ${pf} sriov_numvfs to ${before}") {
      write "${device}/sriov_numvfs", 0
      if (before > 0) {
        write "${device}/sriov_numvfs", before
      }
    }
    write "${device}/sriov_numvfs", wanted
    log.info "${pf}: ${before} -> ${wanted} VFs"
  }
}
