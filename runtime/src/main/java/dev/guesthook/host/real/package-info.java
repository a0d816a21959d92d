/**
 * The real host: LinuxHost (files under --root, processes with timeouts through ProcessRunner).
 * Never the simulator.
 */
@MayUse({"host", "host.tree"})
package dev.guesthook.host.real;

import dev.guesthook.MayUse;
