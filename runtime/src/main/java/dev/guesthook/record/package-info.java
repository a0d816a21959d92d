/** Recordings of a phase (every host call and hook line) and their replay. */
@MayUse({"core.dispatch", "core.event", "files", "guest", "host", "id", "json", "pve"})
package dev.guesthook.record;

import dev.guesthook.MayUse;
