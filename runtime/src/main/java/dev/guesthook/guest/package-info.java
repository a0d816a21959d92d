/**
 * A guest's lifecycle event as Proxmox gives it: the vmid and phase the core dispatches on, with
 * the guest's config and what is really happening behind the phase (start, resume, migration,
 * hibernation).
 */
@MayUse({"core.event", "id", "pve"})
package dev.guesthook.guest;

import dev.guesthook.MayUse;
