/** guesthook check: what would refuse a guest's start, before Proxmox tries. */
@MayUse({"config", "devices", "host", "id", "pve", "yaml"})
package dev.guesthook.check;

import dev.guesthook.MayUse;
