// gpu-release: after a VM stops, hand its passed-through PCI devices back to a host driver.
//
// Proxmox binds hostpci devices to vfio-pci when the VM starts and leaves them there after it stops,
// so a GPU shared between the host and a VM stays dark on the host. This hook rebinds each device:
// set driver_override to the host driver, unbind from vfio-pci, then ask the kernel to probe it.
//
// Settings, in /etc/guesthook/guesthook.yaml:
//   vms:
//     "101":
//       gpu-release:
//         driver: amdgpu                 # the host driver to give the devices to (required)
//         devices: ["0000:01:00.0"]      # optional; default: every function of every hostpci
hook('gpu-release') {
  order 80
  description 'rebind passed-through devices to a host driver after the VM stops'

  on('post-stop') { ev ->
    String driver = settings.driver
    if (!driver) {
      skip('no gpu-release.driver set for this VM')
    }
    if (!(driver ==~ /[A-Za-z0-9_.-]+/)) {
      throw new IllegalArgumentException("gpu-release.driver '${driver}' is not a driver name")
    }
    if (ev.isHibernation()) {
      skip('hibernated: the devices stay with vfio-pci for the resume')
    }
    List<String> devices = settings.devices ?: hostpciFunctions(config.current())
    if (!devices) {
      skip('the VM has no hostpci device')
    }
    for (String address : devices) {
      release(address, driver)
    }
  }
}

/** Every PCI function named by the VM's hostpciN entries; "01:00" means all functions of 01:00. */
List<String> hostpciFunctions(Map<String, String> current) {
  List<String> functions = []
  current.findAll { key, value -> key ==~ /hostpci\d+/ }.each { key, value ->
    String ids = value.split(',')[0]
    if (ids.startsWith('mapping=') || value.contains('mdev=')) {
      return // mapped or mediated devices are not handed to a host driver here
    }
    ids.split(';').each { String id ->
      String full = id.count(':') == 1 ? "0000:${id}" : id
      if (full ==~ /[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]/) {
        functions << full
      } else if (full ==~ /[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}/) {
        functions.addAll(list('/sys/bus/pci/devices').findAll { it.startsWith(full + '.') })
      } else {
        throw new IllegalArgumentException("${key}: '${id}' is not a PCI address")
      }
    }
  }
  return functions
}

void release(String address, String driver) {
  if (!(address ==~ /[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]/)) {
    throw new IllegalArgumentException("'${address}' is not a PCI address like 0000:01:00.0")
  }
  String device = "/sys/bus/pci/devices/${address}"
  String current = host.readLink(path("${device}/driver")).map { it.name() }.orElse(null)
  if (current == driver) {
    log.info "${address} is already bound to ${driver}"
    return
  }
  write "${device}/driver_override", driver
  if (current) {
    write "/sys/bus/pci/drivers/${current}/unbind", address
  }
  write '/sys/bus/pci/drivers_probe', address
  log.info "${address}: ${current ?: 'no driver'} -> ${driver}"
}
