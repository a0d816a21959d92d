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
//     bind-wait: 10                  # seconds to wait, in all, for host drivers that probe late
//     reset:                         # reset the functions while vfio-pci holds them
//       when: both                   # pre-start (before the guest gets them), post-stop, or both
//       methods: [device_specific, bus]   # the order (the kernel's names); default: the device's own
//       functions: ["0000:0b:00.0"]  # only these; default: every passed function that has a reset
//
// The reset is part of this hook, not a hook of its own, because it must happen while vfio-pci
// holds the device: after the take and before the guest at pre-start, after the guest and before
// the hand-back at post-stop. Hooks run in one order in every phase, so a hook of its own would
// run either before the take or after the hand-back in one of them (a host driver such as amdgpu
// does not expect its device reset under it).

import java.time.Duration

hook('gpu-release') {
  order 50
  description 'take passed-through GPUs from the host driver before start, give them back after stop'

  settings {
    driver 'driver', optional: true, description: 'host driver for a display function found on vfio-pci at pre-start'
    integer 'bind-wait', min: 0, max: 25, default: 10,
        description: 'seconds the hand-back after stop waits, in all, for host drivers that probe late'
    map('reset', optional: true, description: 'reset the passed functions while vfio-pci holds them') {
      enumeration 'when', values: ['pre-start', 'post-stop', 'both'], default: 'both',
          description: 'before the guest gets them, after it gave them back, or both'
      list 'methods', of: 'string', unique: true, optional: true,
          values: ['device_specific', 'acpi', 'flr', 'af_flr', 'pm', 'bus', 'cxl_bus'],
          description: "the reset methods to use, in order (the kernel's names: device_specific, acpi, flr, af_flr, pm, bus, cxl_bus); default: the device's own"
      list 'functions', of: 'pci', optional: true, description: 'reset only these; default: every passed function that has a reset'
    }
  }

  check { ev ->
    Map failed = state.load().handBackFailed ?: [:]
    failed.each { address, why -> warn "${address}: the last hand-back failed: ${why}" }
    if (settings.reset) {
      for (PciAddress address : resetCandidates(passthroughFunctions())) {
        pci.whyNotReset(address, resetOrder()).ifPresentOrElse(
            { why -> fail "reset: ${why}" },
            { pass "${address}: reset with ${describeOrder(address)}" })
      }
    }
  }

  on('pre-start') { ev ->
    boolean kept = logKeptDevices()
    List<PciAddress> functions = passthroughFunctions()
    if (!functions) {
      skip(kept ? 'every whole PCI device the VM passes through has driver=keep' : 'the VM passes through no whole PCI device')
    }
    List<String> inUse = heldByRunningOthers(functions).collect { a, owner -> "${a} is in use by running VM ${owner}".toString() }
    if (inUse) {
      throw new DeviceException("${inUse.join('; ')}: gpu-release neither takes nor resets it;"
          + " fix: stop that VM first, or pass this VM another device; nothing was changed")
    }
    List<PciAddress> resets = resetTargets(functions, 'pre-start')
    List<String> refusals = resets.collectMany { a -> pci.whyNotReset(a, resetOrder()).map { [it] }.orElse([]) }.unique()
    if (refusals) {
      throw new DeviceException("reset: ${refusals.join('; ')}; nothing was changed")
    }
    Map saved = state.load().devices ?: [:]
    for (PciAddress address : functions) {
      DriverName before = pci.driver(address).orElse(null)
      if (before != DriverName.VFIO_PCI) {
        saved[address.value()] = before?.value()
      }
      pci.bind(address, DriverName.VFIO_PCI)
      undo("give ${address} back to ${before ?: 'no driver'}") {
        if (pci.keptOnVfio(address).isPresent()) {
          throw new DeviceException("${address}: kept on vfio-pci: it does not answer")
        }
        pci.restore(address, before)
      }
      state.save([devices: saved])
      log.info "${address}: ${before ?: 'no driver'} -> vfio-pci"
    }
    for (PciAddress address : resets) {
      try {
        log.info resetOne(address)
      } catch (RuntimeException e) {
        String why = "reset failed before the guest got it: ${withoutAddress(address, e)}"
        if (!pci.configAnswers(address)) {
          // As after a guest: a host driver's probe of a device that does not answer can hang in
          // the kernel, so it stays on vfio-pci and the rollback leaves it there.
          pci.keepOnVfio(address, "${why}; it does not answer, so it was kept on vfio-pci")
          throw new DeviceException("${address}: ${why}; the start is refused; it does not answer, so it stays"
              + " on vfio-pci (fix: dmesg, a reset or a reboot; then 'guesthook ${ev.vmid} post-stop' hands it back),"
              + " the other functions go back to their drivers")
        }
        throw new DeviceException("${address}: ${why}; the start is refused and the functions go back to their drivers")
      }
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
    Map<PciAddress, VmId> inUse = heldByRunningOthers(functions)
    inUse.each { a, owner -> log.info "${a}: in use by running VM ${owner}; not reset, not handed back" }
    functions = functions.findAll { !inUse.containsKey(it) }
    Map<String, String> resetFailed = resetAfterGuest(functions)
    Long deadline = null // the budget starts with the first hand-back, shared by all of them
    Map failed = [:]
    List<String> unprobed = [] // the host driver did not take them: a post-stop may try again
    for (PciAddress address : functions) {
      String wanted = saved.containsKey(address.value()) ? saved[address.value()]
          : (pci.info(address).classCode() >> 16 == 0x03 ? fallback : null)
      if (!wanted) {
        log.info "${address}: no host driver known; left on ${driverNow(address)}"
        continue
      }
      if (resetFailed.containsKey(address.value()) && !pci.configAnswers(address)) {
        failed[address.value()] = "not handed back to ${wanted}: it does not answer after its reset; left on ${driverNow(address)}" +
            " until a reboot (or a remove and rescan once it answers)"
        pci.keepOnVfio(address, failed[address.value()])
        log.warn "${address}: ${failed[address.value()]}"
        continue
      }
      deadline = deadline ?: System.nanoTime() + settings['bind-wait'] * 1_000_000_000L
      Duration wait = Duration.ofNanos(Math.max(0L, deadline - System.nanoTime()))
      try {
        pci.release(address, driver(wanted), wait)
        saved.remove(address.value())
        log.info "${address}: back to ${wanted}"
      } catch (DeviceException e) {
        failed[address.value()] = handBackFailure(address, wanted, e)
        unprobed << address.value()
        log.warn "${address}: ${failed[address.value()]}"
      }
    }
    List<String> problems = resetFailed.collect { a, why -> "${a}: ${why}".toString() }
    if (failed) {
      // Kept, so the next post-stop (or a post-stop run by hand) hands back what is still owed,
      // and check can tell; one attempt a phase, never a retry loop.
      state.save([devices: saved, handBackFailed: failed])
      problems << failed.collect { a, why -> "${a}: ${why}" }.join('; ') +
          (unprobed ? "; fix: see dmesg for the driver's probe of the device; once it can take it," +
              " 'guesthook ${ev.vmid} post-stop' hands it back" : '')
    } else {
      state.clear()
    }
    if (problems) {
      throw new DeviceException(problems.join('; '))
    }
  }
}

/** The functions to reset in this phase, as the settings say; none when they ask for none. */
List<PciAddress> resetTargets(List<PciAddress> functions, String phase) {
  settings.reset && settings.reset.when in ['both', phase] ? resetCandidates(functions) : []
}

/** The functions the settings name (each must be passed whole), or every one that has a reset. */
List<PciAddress> resetCandidates(List<PciAddress> functions) {
  List<PciAddress> named = settings.reset.functions
  if (named) {
    List<PciAddress> strangers = named.findAll { !(it in functions) }
    if (strangers) {
      throw new DeviceException("gpu-release.reset.functions: ${strangers.join(', ')} is not passed whole to this VM" +
          " (it passes ${functions.join(', ')})")
    }
    return named
  }
  List<PciAddress> out = []
  for (PciAddress address : functions) {
    if (pci.resetMethods(address).resettable()) {
      out << address
    } else {
      log.info "${address}: offers no reset method; not reset"
    }
  }
  return out
}

List<String> resetOrder() {
  settings.reset?.methods ?: []
}

String describeOrder(PciAddress address) {
  resetOrder() ? resetOrder().join(' ') : "its own order (${pci.resetMethods(address).offeredText()})"
}

/** Resets one function held by vfio-pci and says so; throws what failed. */
String resetOne(PciAddress address) {
  String order = describeOrder(address)
  pci.reset(address, resetOrder())
  "${address}: reset with ${order}; it answers"
}

/**
 * The post-stop reset, before the hand-back: each failure is kept to report (and a function that
 * no longer answers is not handed back); the hand-back of the others goes on.
 */
Map<String, String> resetAfterGuest(List<PciAddress> functions) {
  Map<String, String> failed = [:]
  List<PciAddress> targets
  try {
    targets = resetTargets(functions, 'post-stop')
  } catch (DeviceException e) {
    return [reset: e.message]
  }
  for (PciAddress address : targets) {
    if (pci.driver(address) != Optional.of(DriverName.VFIO_PCI)) {
      log.info "${address}: on ${driverNow(address)}, not vfio-pci; not reset"
      continue
    }
    try {
      log.info resetOne(address)
    } catch (RuntimeException e) {
      failed[address.value()] = "reset after the guest failed: ${withoutAddress(address, e)}".toString()
      log.warn "${address}: ${failed[address.value()]}"
    }
  }
  return failed
}

String withoutAddress(PciAddress address, Exception e) {
  String text = e.message ?: e.toString()
  text.startsWith("${address}: ") ? text.substring("${address}: ".length()) : text
}

/**
 * What a failed hand-back left: the driver's answer, and the device on vfio-pci (put back there if
 * it was left without a driver, which is the safe place for a device the host could not take).
 */
String handBackFailure(PciAddress address, String wanted, DeviceException e) {
  String why = withoutAddress(address, e)
  if (!pci.driver(address).isPresent()) {
    try {
      pci.bind(address, DriverName.VFIO_PCI)
    } catch (RuntimeException alsoFailed) {
      return "not handed back to ${wanted}: ${why}; and vfio-pci could not take it back either (${alsoFailed.message}): it has no driver"
    }
  }
  String failure = "not handed back to ${wanted}: ${why}; left on ${driverNow(address)}"
  if (pci.driver(address) == Optional.of(DriverName.VFIO_PCI)) {
    pci.keepOnVfio(address, failure) // so the reconcile after this phase does not try it again
  }
  return failure
}

String driverNow(PciAddress address) {
  pci.driver(address).map { it.value() }.orElse('no driver')
}

/**
 * Of {@code functions}, those another guest holds now: reserved for it by qemu-server, or named by
 * the hostpciN of another guest that runs. Two stopped guests may well name one GPU; a running one
 * has it, and taking, resetting or handing it back would pull it from under that guest.
 */
Map<PciAddress, VmId> heldByRunningOthers(List<PciAddress> functions) {
  Map<PciAddress, VmId> held = [:]
  pve.pciReservations(event.time()).each { address, owner ->
    if (owner != vmid && address in functions) {
      held[address] = owner
    }
  }
  for (other in pve.qemuGuests()) {
    if (other == vmid || !pve.isRunning(other)) {
      continue
    }
    try {
      Hostpci.of(pve.config(other)).each { h ->
        (h.functions() + h.slots().collectMany { pci.functions(it) }).findAll { it in functions }.each { held.putIfAbsent(it, other) }
      }
    } catch (Exception e) {
      log.warn "cannot read the config of running VM ${other} to leave its devices alone: ${e.message}"
    }
  }
  return held
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
