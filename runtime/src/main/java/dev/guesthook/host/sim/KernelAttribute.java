package dev.guesthook.host.sim;

import dev.guesthook.host.HostPath;

/** A sysfs attribute whose store has an effect, modelled the way the kernel implements it. */
interface KernelAttribute {
  boolean handles(HostPath path);

  /** Applies the write, or fails with the errno the kernel's store function returns. */
  void store(HostPath path, String value);
}
