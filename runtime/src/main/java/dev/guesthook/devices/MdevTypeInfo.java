package dev.guesthook.devices;

import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;

/** A type a parent offers, named as the kernel names its attributes. */
public record MdevTypeInfo(
    PciAddress parent,
    MdevType type,
    String name,
    String description,
    int availableInstances,
    String deviceApi) {}
