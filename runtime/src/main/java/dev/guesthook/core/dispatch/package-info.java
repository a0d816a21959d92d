/**
 * The Vert.x dispatcher: runs a phase's hooks in order on worker threads, with timeouts, outcomes,
 * undo steps and hook log lines.
 */
@MayUse({"core.event", "host"})
package dev.guesthook.core.dispatch;

import dev.guesthook.MayUse;
