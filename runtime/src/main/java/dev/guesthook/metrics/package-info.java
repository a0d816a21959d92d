/**
 * This node's metrics in node_exporter's textfile format: phases by phase and outcome with their
 * durations, hook timeouts, reconcile actions (counted since the first phase, kept in a small state
 * file so one-shot processes add up) and free capacity per device class, written whole where the
 * admin points the textfile collector. guesthook's bookkeeping: after a phase has answered, never
 * on its way.
 */
@MayUse({"cluster", "files", "json"})
package dev.guesthook.metrics;

import dev.guesthook.MayUse;
