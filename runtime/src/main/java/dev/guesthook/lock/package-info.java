/** Locks: one per device, across processes (run/guesthook/locks). */
@MayUse({"files"})
package dev.guesthook.lock;

import dev.guesthook.MayUse;
