/**
 * Device operations over the port (PCI, mdev, SR-IOV, NVIDIA vGPU), taking typed ids only; every
 * change for a guest goes through its Ledger.
 */
@MayUse({"host", "id", "json"})
package dev.guesthook.devices;

import dev.guesthook.MayUse;
