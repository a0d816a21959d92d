// hibernate: a VM hibernated with `qm suspend --todisk` resumes only onto the same host side.
//
// When the VM hibernates (post-stop with the state saved), hibernate-record notes where the state went
// and which devices the VM had from guesthook (the mdev and sriov-vf hooks' instances and VFs), in
// /var/lib/guesthook/hibernate/<vmid>.json, which survives a reboot. When it resumes, hibernate checks,
// after those hooks have made the devices again, that
//   - the storage holding the state exists and is usable on this node, and
//   - the devices are the same ones (same mdev UUIDs and types, same VFs),
// and fails the pre-start with what differs otherwise: a resume onto other devices hands the guest a
// device it does not know. Once the VM runs again the record is kept as <vmid>.resumed.json.
hook('hibernate-record') {
  order 10   // before the device hooks clear what they made
  description 'note where a hibernating VM\'s state went and which devices it had'

  on('post-stop') { ev ->
    if (!ev.isHibernation()) {
      skip('not a hibernation')
    }
    String volume = config.vmstate().get()
    Map record = [vmstate: volume, storage: storageOf(volume), node: ev.node(), time: ev.time().toString(),
                  devices: guesthookDevices()]
    writeJson recordFile(), record
    log.info "state ${volume} on storage '${record.storage}'; devices: ${describe(record.devices)}"
  }
}

hook('hibernate') {
  order 90   // after the device hooks have made the devices again
  description 'check that a resuming VM finds its state storage and the same devices'

  on('pre-start') { ev ->
    if (!ev.isResume()) {
      skip('not a resume from hibernation')
    }
    String volume = config.vmstate().get()
    String storageId = storageOf(volume)
    def storage = pve.storageConfig().get(storageId).orElse(null)
    if (storage == null) {
      throw new DeviceException("the saved state ${volume} is on storage '${storageId}', which storage.cfg does not have")
    }
    storage.unavailableOn(ev.node()).ifPresent { why ->
      throw new DeviceException("the saved state ${volume} cannot be read here: ${why}")
    }
    if (!exists(recordFile())) {
      log.warn "no record from the hibernation (${recordFile()}): devices not compared"
      return
    }
    Map record = readJson(recordFile())
    List<String> changed = differences(record.devices, guesthookDevices())
    if (changed) {
      throw new DeviceException("VM ${vmid} was hibernated with other devices than it gets now: " + changed.join('; '))
    }
    log.info "state ${volume} on storage '${storageId}' (${storage.type()}); devices as at hibernation: ${describe(record.devices)}"
  }

  on('post-start') { ev ->
    if (!exists(recordFile()) || config.vmstate().isPresent()) {
      skip('no resume to close')
    }
    write "${recordDir()}/${vmid}.resumed.json", read(recordFile())
    host.delete(path(recordFile()))
    log.info "resumed; the hibernation record is kept as ${vmid}.resumed.json"
  }
}

String recordDir() {
  '/var/lib/guesthook/hibernate'
}

String recordFile() {
  "${recordDir()}/${vmid}.json"
}

/** The storage id of a volume id like local-lvm:vm-101-state-suspend-2026-11-24. */
String storageOf(String volume) {
  int colon = volume.indexOf(':')
  if (colon < 1) {
    throw new DeviceException("vmstate '${volume}' is not a storage volume")
  }
  return volume.substring(0, colon)
}

/** What the device hooks made for this VM, from their saved state. */
Map guesthookDevices() {
  Map out = [mdevs: [], vfs: []]
  String mdevState = "/run/guesthook/state/${vmid}/mdev.json"
  if (exists(mdevState)) {
    readJson(mdevState).vgpus.each { v ->
      out.mdevs << [gpu: v.gpu, type: v.type, uuid: v.uuid, vf: v.vf]
    }
  }
  String vfState = "/run/guesthook/state/${vmid}/sriov-vf.json"
  if (exists(vfState)) {
    readJson(vfState).vfs.each { v -> out.vfs << [pf: v.pf, index: v.index, address: v.address] }
  }
  return out
}

List<String> differences(Map before, Map now) {
  List<String> out = []
  if (before.mdevs != now.mdevs) {
    out << "vGPUs/mdevs were ${before.mdevs ?: 'none'}, now ${now.mdevs ?: 'none'}"
  }
  if (before.vfs != now.vfs) {
    out << "VFs were ${before.vfs*.address ?: 'none'}, now ${now.vfs*.address ?: 'none'}"
  }
  return out
}

String describe(Map devices) {
  List parts = devices.mdevs.collect { it.uuid ? "mdev ${it.uuid} (${it.type})" : "vGPU type ${it.type} on ${it.vf}" } +
      devices.vfs.collect { "VF ${it.address}" }
  return parts ? parts.join(', ') : 'none from guesthook'
}
