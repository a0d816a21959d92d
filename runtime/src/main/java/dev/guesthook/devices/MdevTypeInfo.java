package dev.guesthook.devices;

import dev.guesthook.id.PciAddress;
import dev.guesthook.id.MdevType;

/** A type a parent offers, named as the kernel names its attributes. */
public record MdevTypeInfo(
    PciAddress parent, MdevType type, String name, String description, int availableInstances, String deviceApi) {}
