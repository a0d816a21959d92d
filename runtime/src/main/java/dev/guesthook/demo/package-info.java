/** guesthook demo: a sandboxed guest walked through its phases with the example hooks. */
@MayUse({
  "app",
  "config",
  "core.dispatch",
  "core.event",
  "devices",
  "engine",
  "host",
  "host.sim",
  "host.tree",
  "id",
  "pve"
})
package dev.guesthook.demo;

import dev.guesthook.MayUse;
