/**
 * The command line (picocli): each command, its printed report and exit code.
 */
@MayUse({
    "check", "config", "core.dispatch", "core.event", "core.hookhost", "core.settings", "demo",
    "engine", "host", "host.sim", "id", "install", "journal", "journald", "json", "pve", "record",
    "sandbox", "serve", "yaml"
})
package dev.guesthook.cli;

import dev.guesthook.MayUse;
