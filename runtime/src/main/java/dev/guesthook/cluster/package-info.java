/**
 * The cluster through pmxcfs: what this node publishes of itself under {@code
 * /etc/pve/nodes/<node>/guesthook/} (its passthrough capacity, what each guest holds, and a ring of
 * its recent lifecycle events), and what every node published, read back with its age. Never on a
 * phase's way: publishing comes after a phase and its failure is only reported.
 */
@MayUse({
  "core.dispatch",
  "core.event",
  "devices",
  "files",
  "guest",
  "host",
  "id",
  "journal",
  "json",
  "lock",
  "pve"
})
package dev.guesthook.cluster;

import dev.guesthook.MayUse;
