/**
 * Typed identifiers (VmId, PciAddress, MdevType, Uuid, DriverName, MacAddress, NetInterface), each
 * validated once at the edge. Ground: every layer uses it, it uses nothing of the project.
 */
@MayUse({})
package dev.guesthook.id;

import dev.guesthook.MayUse;
