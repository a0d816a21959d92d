/**
 * The simulated kernel over a sandbox tree (SimulatedHost, the kernel models, Faults) and
 * DryRunHost (the same models over an overlay of any host). Never the real host. Uses lock for the
 * simulated kernel's own cross-process lock.
 */
@MayUse({"host", "host.tree", "id", "json", "lock"})
package dev.guesthook.host.sim;

import dev.guesthook.MayUse;
