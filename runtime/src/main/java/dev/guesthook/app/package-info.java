/**
 * The composition root: builds the runtime a command runs on (the host the settings ask for, real,
 * simulated or dry run; the engine; journald; the node's name) in one place, and decides the exit
 * code of every command from what happened.
 */
@MayUse({
  "cluster",
  "config",
  "core.dispatch",
  "engine",
  "host",
  "host.real",
  "host.sim",
  "journald",
  "metrics",
  "pve",
  "yaml"
})
package dev.guesthook.app;

import dev.guesthook.MayUse;
