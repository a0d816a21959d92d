/**
 * The domain's hook API: the names a hook file finds in its scope (devices, pci, mdev, sriov,
 * nvidia, vgpu, config, hostpci, pve, and the id helpers), contributed to the core through its
 * HookScopeContribution extension point.
 */
@MayUse({"core.dispatch", "core.hookhost", "devices", "guest", "id", "pve"})
package dev.guesthook.hookapi;

import dev.guesthook.MayUse;
