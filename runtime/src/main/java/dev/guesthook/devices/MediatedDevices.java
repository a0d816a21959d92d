package dev.guesthook.devices;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SysfsPaths;
import dev.guesthook.id.MdevType;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.Printable;
import dev.guesthook.id.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Mediated devices (Intel GVT-g, NVIDIA vGPU before vGPU 17): parents, their types, instances, and
 * creating and removing instances, with the checks qemu-server's {@code pci_create_mdev_device}
 * makes turned into messages that say what to do.
 */
public final class MediatedDevices {
  /**
   * The digits perl's {@code int()} takes from the start of a string (a sign of - makes it at most
   * 0).
   */
  private static final Pattern LEADING_INTEGER = Pattern.compile("\\s*\\+?(\\d{1,9})");

  private final HostPort host;
  private final PciDevices pci;
  private final Ledger ledger;

  public MediatedDevices(HostPort host, PciDevices pci) {
    this(host, pci, Ledger.NONE);
  }

  MediatedDevices(HostPort host, PciDevices pci, Ledger ledger) {
    this.host = host;
    this.pci = pci;
    this.ledger = ledger;
  }

  /** Devices that offer mediated device types. */
  public List<PciAddress> parents() {
    return host.list(SysfsPaths.PCI_DEVICES).stream()
        .map(PciAddress::new)
        .filter(this::isParent)
        .toList();
  }

  public boolean isParent(PciAddress device) {
    return host.exists(SysfsPaths.mdevTypes(device));
  }

  public List<MdevTypeInfo> types(PciAddress parent) {
    requireParent(parent);
    List<MdevTypeInfo> out = new ArrayList<>();
    for (String name : host.list(SysfsPaths.mdevTypes(parent))) {
      MdevType type = new MdevType(name);
      HostPath dir = SysfsPaths.mdevType(parent, type);
      out.add(
          new MdevTypeInfo(
              parent,
              type,
              optional(dir.resolve("name")).orElse(name),
              optional(dir.resolve("description")).orElse(""),
              availableInstances(dir),
              optional(dir.resolve("device_api")).orElse("")));
    }
    return out;
  }

  /** A type's name and its free instances: what a survey of the node's capacity needs of it. */
  public record TypeCount(MdevType type, String name, int available) {}

  /**
   * Each type the parent offers with its name and available instances only: a few calls a type
   * where {@link #types} makes seven, for a survey that runs after every phase.
   */
  public List<TypeCount> counts(PciAddress parent) {
    List<TypeCount> out = new ArrayList<>();
    for (String name : host.list(SysfsPaths.mdevTypes(parent))) {
      MdevType type = new MdevType(name);
      HostPath dir = SysfsPaths.mdevType(parent, type);
      out.add(new TypeCount(type, nameOf(dir, name), availableInstances(dir)));
    }
    return out;
  }

  /** A type by its kernel name ({@code nvidia-231}) or its human name ({@code GRID T4-2Q}). */
  public MdevTypeInfo type(PciAddress parent, String typeOrName) {
    List<MdevTypeInfo> types = types(parent);
    return types.stream()
        .filter(t -> t.type().value().equals(typeOrName) || t.name().equals(typeOrName))
        .findFirst()
        .orElseThrow(
            () ->
                new DeviceException(
                    parent
                        + " has no mdev type '"
                        + Printable.of(typeOrName)
                        + "'; it offers: "
                        + types.stream()
                            .map(t -> t.type() + " (" + t.name() + ")")
                            .collect(Collectors.joining(", "))));
  }

  public List<MdevInstance> instances() {
    if (!host.exists(SysfsPaths.MDEV_DEVICES)) {
      return List.of();
    }
    List<MdevInstance> out = new ArrayList<>();
    for (String name : host.list(SysfsPaths.MDEV_DEVICES)) {
      instance(Uuid.parse(name)).ifPresent(out::add);
    }
    return out;
  }

  public Optional<MdevInstance> instance(Uuid uuid) {
    HostPath dir = SysfsPaths.mdev(uuid);
    Optional<HostPath> real = host.readLink(dir);
    Optional<HostPath> type = host.readLink(dir.resolve("mdev_type"));
    if (real.isEmpty() || type.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new MdevInstance(
            uuid, new PciAddress(real.get().parent().name()), new MdevType(type.get().name())));
  }

  public List<MdevInstance> find(Optional<PciAddress> parent, Optional<MdevType> type) {
    return instances().stream()
        .filter(i -> parent.isEmpty() || i.parent().equals(parent.get()))
        .filter(i -> type.isEmpty() || i.type().equals(type.get()))
        .toList();
  }

  /**
   * Creates an instance. An existing instance with that UUID and type is kept (as Proxmox does);
   * one of another type, an unknown type or an exhausted type is refused with what is using it.
   */
  public MdevInstance create(PciAddress parent, String typeOrName, Uuid uuid) {
    // Under the parent's lock: another process cannot take the last instance between count and
    // create.
    return ledger.locked(parent, () -> createLocked(parent, typeOrName, uuid));
  }

  private MdevInstance createLocked(PciAddress parent, String typeOrName, Uuid uuid) {
    MdevTypeInfo type = type(parent, typeOrName);
    Optional<MdevInstance> existing = instance(uuid);
    if (existing.isPresent()) {
      if (existing.get().type().equals(type.type()) && existing.get().parent().equals(parent)) {
        return existing.get();
      }
      throw new DeviceException(
          "mdev "
              + uuid
              + " already exists as "
              + existing.get().type()
              + " on "
              + existing.get().parent()
              + ", not "
              + type.type()
              + " on "
              + parent);
    }
    if (type.availableInstances() < 1) {
      List<MdevInstance> users = find(Optional.of(parent), Optional.empty());
      throw new DeviceException(
          "no available instances of "
              + type.type()
              + " ("
              + type.name()
              + ") on "
              + parent
              + "; in use: "
              + (users.isEmpty()
                  ? "none listed (the parent's resources are taken by other types)"
                  : users.stream()
                      .map(u -> u.uuid() + " " + u.type() + " (" + u.owner() + ")")
                      .collect(Collectors.joining(", "))));
    }
    ledger.apply(
        new Change.MdevCreated(parent, type.type(), uuid),
        () -> host.write(SysfsPaths.mdevType(parent, type.type()).resolve("create"), uuid.value()));
    return new MdevInstance(uuid, parent, type.type());
  }

  /** Removes an instance; returns false when it did not exist. */
  public boolean remove(Uuid uuid) {
    if (!host.exists(SysfsPaths.mdev(uuid))) {
      return false;
    }
    host.write(SysfsPaths.mdev(uuid).resolve("remove"), "1");
    return true;
  }

  private void requireParent(PciAddress parent) {
    pci.requireExists(parent);
    if (!isParent(parent)) {
      throw new DeviceException(
          "PCI device " + parent + " does not support mediated devices (no mdev_supported_types)");
    }
  }

  /**
   * As qemu-server's {@code PCI::Mdev::get_mdev_types} reads it, {@code
   * int(file_read_first_line(...))}: a missing or unreadable count is 0, so the type is still
   * listed (none free) and the parent's other types stay usable.
   */
  private int availableInstances(HostPath type) {
    String count;
    try {
      // read, not exists-then-read: the recorded lifecycles hold exactly one read here
      count = host.read(type.resolve("available_instances"));
    } catch (HostException missing) {
      count = "";
    }
    Matcher leading = LEADING_INTEGER.matcher(count);
    return leading.lookingAt() ? Integer.parseInt(leading.group(1)) : 0;
  }

  /**
   * A type's {@code name}, or its kernel name when it has none: one read, not a stat and a read.
   */
  private String nameOf(HostPath type, String kernelName) {
    try {
      return host.read(type.resolve("name")).strip();
    } catch (HostException none) {
      return kernelName;
    }
  }

  private Optional<String> optional(HostPath file) {
    return host.exists(file) ? Optional.of(host.read(file).strip()) : Optional.empty();
  }
}
