/**
 * The engine: one phase of one guest from lock to settle, and the resident hooks of a long-running
 * runtime.
 */
@MayUse({
  "config",
  "core.dispatch",
  "core.event",
  "core.hookhost",
  "core.settings",
  "devices",
  "guest",
  "hookapi",
  "host",
  "host.sim",
  "host.tree",
  "id",
  "journal",
  "lock",
  "pve",
  "record",
  "yaml"
})
package dev.guesthook.engine;

import dev.guesthook.MayUse;
