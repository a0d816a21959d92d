// An admin's own hook for something the stock hooks do not do: set NVIDIA vGPU plugin parameters
// (vgpu_params, e.g. frame_rate_limiter=0 for a render node) on the vGPUs the mdev hook made for a VM,
// before it starts. Runs after the mdev hook (order 30) and reads what it made from its saved state.
//
// In the VM's own settings, /etc/pve/guesthook/<vmid>.yaml:
//   vgpu-params: { params: "frame_rate_limiter=0 disable_vnc=1" }
hook('vgpu-params') {
  order 35
  description 'set NVIDIA vGPU plugin parameters on the VM\'s vGPUs'

  settings {
    string 'params', optional: true, pattern: /[a-z_]+=[A-Za-z0-9_.]+( [a-z_]+=[A-Za-z0-9_.]+)*/,
        description: 'key=value pairs for nvidia/vgpu_params'
  }

  on('pre-start') { ev ->
    String params = settings.params
    if (!params) {
      skip('no vgpu-params.params for this VM')
    }
    String made = "/run/guesthook/state/${vmid}/mdev.json"
    List vgpus = exists(made) ? readJson(made).vgpus : []
    if (!vgpus) {
      skip('the mdev hook made no vGPU for this VM')
    }
    for (Map v : vgpus) {
      String file = v.vf ? "/sys/bus/pci/devices/${v.vf}/nvidia/vgpu_params" : "/sys/bus/mdev/devices/${v.uuid}/nvidia/vgpu_params"
      String before = read(file).trim()
      write file, params
      undo("restore ${file}") { write file, before ?: ' ' }
      log.info "${v.vf ?: v.uuid}: vgpu_params ${params}"
    }
  }
}
