/**
 * The cluster through pmxcfs: what this node publishes of itself under {@code
 * /etc/pve/nodes/<node>/guesthook/} (its passthrough capacity and what each guest holds), and what
 * every node published, read back with its age. Never on a phase's way: publishing comes after a
 * phase and its failure is only reported.
 */
@MayUse({"devices", "host", "id", "journal", "json", "pve"})
package dev.guesthook.cluster;

import dev.guesthook.MayUse;
