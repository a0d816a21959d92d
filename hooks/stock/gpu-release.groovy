// gpu-release: whole-device passthrough of a GPU the host also uses. Before the VM starts, each
// passed-through function (and the rest of its IOMMU group) goes to vfio-pci; after the VM stops,
// each goes back to the host driver it had. Binding is by driver_override, as driverctl does: Proxmox
// binds by new_id and never gives a GPU back, which leaves the host's display dark.
//
// A hostpciN with driver=keep (qemu-server 9.0.25) is left alone, at pre-start and post-stop: Proxmox
// then neither resets the device nor binds it to vfio-pci (PVE::QemuServer::PCI::prepare_pci_device).
//
// In the VM's own settings, /etc/pve/guesthook/<vmid>.yaml:
//
//   gpu-release: {}                  # on; hostpciN entries without mdev= or mapping= are covered
//   gpu-release:
//     driver: amdgpu                 # for a display function that was on vfio-pci already at boot

import java.time.Duration

hook('gpu-release') {
  order 50
  description 'take passed-through GPUs from the host driver before start, give them back after stop'

  settings {
    driver 'driver', optional: true, description: 'host driver for a display function found on vfio-pci at pre-start'
    integer 'bind-wait', min: 0, max: 25, default: 10,
        description: 'seconds the hand-back after stop waits, in all, for host drivers that probe late'
  }

  check { ev ->
    Map failed = state.load().handBackFailed ?: [:]
    failed.each { address, why -> warn "${address}: the last hand-back failed: ${why}" }
  }

  on('pre-start') { ev ->
    boolean kept = logKeptDevices()
    List<PciAddress> functions = passthroughFunctions()
    if (!functions) {
      skip(kept ? 'every whole PCI device the VM passes through has driver=keep' : 'the VM passes through no whole PCI device')
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
    boolean kept = logKeptDevices()
    List<PciAddress> functions = passthroughFunctions()
    if (!functions) {
      skip(kept ? 'every whole PCI device the VM passes through has driver=keep' : 'the VM passes through no whole PCI device')
    }
    long deadline = System.nanoTime() + settings['bind-wait'] * 1_000_000_000L
    Map failed = [:]
    for (PciAddress address : functions) {
      String wanted = saved.containsKey(address.value()) ? saved[address.value()]
          : (pci.info(address).classCode() >> 16 == 0x03 ? fallback : null)
      if (!wanted) {
        log.info "${address}: no host driver known; left on ${driverNow(address)}"
        continue
      }
      Duration wait = Duration.ofNanos(Math.max(0L, deadline - System.nanoTime()))
      try {
        pci.release(address, driver(wanted), wait)
        saved.remove(address.value())
        log.info "${address}: back to ${wanted}"
      } catch (DeviceException e) {
        failed[address.value()] = handBackFailure(address, wanted, e)
        log.warn "${address}: ${failed[address.value()]}"
      }
    }
    if (failed) {
      // Kept, so the next post-stop (or a post-stop run by hand) hands back what is still owed,
      // and check can tell; one attempt a phase, never a retry loop.
      state.save([devices: saved, handBackFailed: failed])
      throw new DeviceException(failed.collect { a, why -> "${a}: ${why}" }.join('; ')
          + "; fix: see dmesg for the driver's probe of the device; once it can take it,"
          + " 'guesthook ${ev.vmid} post-stop' hands it back")
    }
    state.clear()
  }
}

/**
 * What a failed hand-back left: the driver's answer, and the device on vfio-pci (put back there if
 * it was left without a driver, which is the safe place for a device the host could not take).
 */
String handBackFailure(PciAddress address, String wanted, DeviceException e) {
  String why = e.message.startsWith("${address}: ") ? e.message.substring("${address}: ".length()) : e.message
  if (!pci.driver(address).isPresent()) {
    try {
      pci.bind(address, DriverName.VFIO_PCI)
    } catch (RuntimeException alsoFailed) {
      return "not handed back to ${wanted}: ${why}; and vfio-pci could not take it back either (${alsoFailed.message}): it has no driver"
    }
  }
  return "not handed back to ${wanted}: ${why}; left on ${driverNow(address)}"
}

String driverNow(PciAddress address) {
  pci.driver(address).map { it.value() }.orElse('no driver')
}

/** hostpciN entries that pass whole devices: no mdev=, no mapping=. */
List<Hostpci> wholeDevices() {
  hostpci.findAll { !it.mdev().isPresent() && !it.mapping().isPresent() }
}

/** driver=keep: the device stays on the driver it has (qemu-server's prepare_pci_device does nothing). */
boolean keepsDriver(Hostpci h) {
  h.options()['driver'] == 'keep'
}

/** Says which entries are left alone for driver=keep; true if any. */
boolean logKeptDevices() {
  List<Hostpci> kept = wholeDevices().findAll { keepsDriver(it) }
  for (h in kept) {
    log.info "hostpci${h.index()}: driver=keep, so ${h.ids().join(';')} stays on the driver it has; left alone"
  }
  return !kept.isEmpty()
}

/** The functions of hostpciN entries that pass whole devices, with their IOMMU group's endpoints. */
List<PciAddress> passthroughFunctions() {
  Set<PciAddress> out = new TreeSet<>()
  for (h in wholeDevices().findAll { !keepsDriver(it) }) {
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
