/**
 * The dispatcher: runs a phase's hooks in order on the phase's own thread, each under a watchdog
 * (its timeout), with outcomes, undo steps and hook log lines.
 */
@MayUse({"core.event", "host"})
package dev.guesthook.core.dispatch;

import dev.guesthook.MayUse;
