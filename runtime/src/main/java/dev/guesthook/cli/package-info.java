/** The command line (picocli): each command, its printed report and exit code. */
@MayUse({
  "app",
  "check",
  "cluster",
  "config",
  "core.dispatch",
  "core.event",
  "core.hookhost",
  "core.settings",
  "demo",
  "engine",
  "files",
  "guest",
  "host",
  "id",
  "install",
  "journal",
  "journald",
  "json",
  "metrics",
  "page",
  "pve",
  "record",
  "sandbox",
  "serve",
  "yaml"
})
package dev.guesthook.cli;

import dev.guesthook.MayUse;
