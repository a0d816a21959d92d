/**
 * The Proxmox model: guest configs, storage.cfg, the mapping files, read through the port as
 * upstream's Perl reads them.
 */
@MayUse({"host", "host.tree", "id", "pve.schema"})
package dev.guesthook.pve;

import dev.guesthook.MayUse;
