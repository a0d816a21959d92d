/** guesthook install and doctor: the hookscript snippet, its storage, what an install left. */
@MayUse({
  "check",
  "config",
  "core.hookhost",
  "files",
  "host",
  "id",
  "journal",
  "json",
  "pve",
  "record",
  "serve"
})
package dev.guesthook.install;

import dev.guesthook.MayUse;
