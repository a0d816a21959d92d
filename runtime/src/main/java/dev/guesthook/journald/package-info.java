/** Phase results written to the systemd journal. */
@MayUse({"core.dispatch", "core.event", "id"})
package dev.guesthook.journald;

import dev.guesthook.MayUse;
