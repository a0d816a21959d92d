/** Sandboxes: a simulated host's tree built from a profile. */
@MayUse({"files", "host", "host.sim", "host.tree", "id"})
package dev.guesthook.sandbox;

import dev.guesthook.MayUse;
