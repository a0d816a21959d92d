/**
 * Upstream's schemas and text rules as data: property formats, QEMU config keys, storage types,
 * /etc/pve text. Below the parsers in pve: uses nothing of pve.
 */
@MayUse({"id"})
package dev.guesthook.pve.schema;

import dev.guesthook.MayUse;
