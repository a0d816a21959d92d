// An example of an admin's own hook: run the CPUs a latency-sensitive VM is pinned to at full speed
// while it runs, and give them back to the power-saving governor after it stops.
//
// Settings:
//   vms:
//     "104":
//       cpu-governor: { cpus: [2, 3], governor: performance, restore: powersave }
hook('cpu-governor') {
  order 10
  description 'pin the governor of a VM\'s CPUs while it runs'

  settings {
    list 'cpus', of: 'integer', optional: true, description: 'the CPUs the VM is pinned to'
    enumeration 'governor', values: ['performance', 'powersave', 'schedutil', 'ondemand'], default: 'performance'
    enumeration 'restore', values: ['performance', 'powersave', 'schedutil', 'ondemand'], default: 'powersave'
  }

  on('pre-start') { ev ->
    if (!settings.cpus) {
      skip('no cpu-governor.cpus set for this VM')
    }
    String governor = settings.governor
    for (cpu in settings.cpus) {
      String file = "/sys/devices/system/cpu/cpu${cpu}/cpufreq/scaling_governor"
      String before = read(file).trim()
      if (before == governor) {
        continue
      }
      write file, governor
      undo("restore cpu${cpu} governor ${before}") { write file, before }
    }
  }

  on('post-stop') { ev ->
    if (!settings.cpus) {
      skip('no cpu-governor.cpus set for this VM')
    }
    for (cpu in settings.cpus) {
      write "/sys/devices/system/cpu/cpu${cpu}/cpufreq/scaling_governor", settings.restore
    }
  }
}
