/** The resident runtime: phase calls over a socket, quotas, heap watch. */
@MayUse({"app", "core.event", "files", "id"})
package dev.guesthook.serve;

import dev.guesthook.MayUse;
