package dev.guesthook.devices;

import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import java.util.Optional;

/** VF {@code index} of a physical function, at {@code address}, with the driver it has. */
public record VirtualFunction(
    PciAddress pf, int index, PciAddress address, Optional<DriverName> driver) {}
