/**
 * Per-guest journals of device changes (intent before, result after), their reader, and the
 * Reconciler that puts a guest back.
 */
@MayUse({"core.hookhost", "devices", "files", "host", "host.sim", "id", "json", "lock", "pve"})
package dev.guesthook.journal;

import dev.guesthook.MayUse;
