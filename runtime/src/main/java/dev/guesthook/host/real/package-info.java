/**
 * The real host: LinuxHost (files under --root, processes with timeouts through ProcessRunner,
 * risky kernel writes in a helper process each through HelperWrites). Never the simulator.
 */
@MayUse({"host", "host.tree"})
package dev.guesthook.host.real;

import dev.guesthook.MayUse;
