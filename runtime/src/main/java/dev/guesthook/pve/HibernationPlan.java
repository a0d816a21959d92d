package dev.guesthook.pve;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostFiles;
import dev.guesthook.host.HostPath;
import dev.guesthook.id.VmId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code qm suspend <vmid> --todisk} would do with the VM's state on this node: which storage,
 * by which rule, whether the storage can be used here, and for a file-based storage whether its
 * free space holds the state. For a hibernated VM also where its existing state is: that storage
 * and the one the next {@code qm suspend --todisk} would choose may differ (find_vmstate_storage
 * ignores the old state).
 */
public record HibernationPlan(
    VmId vmid,
    VmstateStorage.Choice choice,
    Optional<Storage> storage,
    String node,
    Optional<String> unavailable,
    long sizeMiB,
    OptionalLong freeBytes,
    Optional<String> vmstate,
    Optional<Storage> stateStorage,
    List<String> warnings) {

  public static HibernationPlan of(Pve pve, HostFiles host, VmId vmid, String node)
      throws PveFileException {
    VmConfig config = pve.config(vmid);
    StorageConfig storages = pve.storageConfig();
    VmstateStorage.Choice choice = VmstateStorage.choose(config, storages);
    Optional<Storage> storage = storages.get(choice.storage());
    Optional<String> unavailable =
        storage.isEmpty()
            ? Optional.of("storage '" + choice.storage() + "' does not exist")
            : storage.get().unavailableOn(node);
    OptionalLong free = OptionalLong.empty();
    if (storage.isPresent() && storage.get().isFileBased()) {
      try {
        free = OptionalLong.of(host.usableBytes(HostPath.parse(storage.get().path().get())));
      } catch (HostException | IllegalArgumentException e) {
        unavailable =
            unavailable.or(
                () ->
                    Optional.of(
                        "path "
                            + storage.get().path().get()
                            + " of storage '"
                            + choice.storage()
                            + "' is not there ("
                            + e.getMessage()
                            + ")"));
      }
    }
    return new HibernationPlan(
        vmid,
        choice,
        storage,
        node,
        unavailable,
        VmstateStorage.sizeMiB(config),
        free,
        config.isHibernated() ? config.vmstate() : Optional.empty(),
        VmstateStorage.existingStateStorage(config).flatMap(storages::get),
        warnings(config, storages));
  }

  /** What Proxmox would warn about while reading the two files the choice comes from. */
  private static List<String> warnings(VmConfig config, StorageConfig storages) {
    List<String> out = new ArrayList<>(config.problems());
    out.addAll(storages.problems());
    return List.copyOf(out);
  }

  /** True, false, or empty when it cannot be known here (a block storage). */
  public Optional<Boolean> fits() {
    return freeBytes.isPresent()
        ? Optional.of(freeBytes.getAsLong() >= sizeMiB * 1024 * 1024)
        : Optional.empty();
  }

  /** Whether {@code qm suspend --todisk} can be expected to succeed here. */
  public boolean ok() {
    return unavailable.isEmpty() && fits().orElse(true);
  }
}
