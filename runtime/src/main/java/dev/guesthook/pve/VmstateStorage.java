package dev.guesthook.pve;

import dev.guesthook.id.VmId;
import dev.guesthook.pve.schema.StorageId;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;

/**
 * Where {@code qm suspend --todisk} puts a VM's state, chosen exactly as qemu-server's {@code
 * find_vmstate_storage} does: {@code vmstatestorage} if set; else, over the storages of the VM's
 * drives (ide/sata/scsi/virtio, efidisk0, tpmstate0; cdroms, {@code unusedN}, {@code none}, device
 * paths and drives parse_drive refuses left out) in sorted order, the shared one, else the local
 * one, where within each group the last file-based storage wins and otherwise the first; else
 * {@code local}. Like upstream it does not look at {@code disable}, {@code nodes} or content: those
 * fail later, at allocation.
 */
public final class VmstateStorage {
  /** Device state QEMU saves beside the memory, in MiB (qemu-server's $driver_state_size). */
  static final int DRIVER_STATE_MIB = 500;

  public enum Rule {
    CONFIGURED("vmstatestorage is set in the config"),
    SHARED_DISK("a shared storage of the VM's disks"),
    LOCAL_DISK("a local storage of the VM's disks (no shared one)"),
    DEFAULT_LOCAL("no disk on a storage: the default 'local'");

    private final String why;

    Rule(String why) {
      this.why = why;
    }

    public String why() {
      return why;
    }

    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** The storage chosen, by which rule, and the disk storages that were weighed (sorted). */
  public record Choice(String storage, Rule rule, List<String> diskStorages) {}

  private VmstateStorage() {}

  public static Choice choose(VmConfig config, StorageConfig storages) throws PveFileException {
    List<String> diskStorages = diskStorages(config);
    if (config.vmstateStorage().isPresent()) {
      return new Choice(config.vmstateStorage().get(), Rule.CONFIGURED, diskStorages);
    }
    String shared = null;
    String local = null;
    for (String id : diskStorages) {
      Storage storage =
          storages
              .get(id)
              .orElseThrow(
                  () ->
                      new PveFileException(
                          config.origin()
                              + ": storage '"
                              + id
                              + "' does not exist (a disk of this VM is on it)"));
      boolean preferred = storage.isFileBased(); // upstream: "prefer file based storage"
      if (storage.shared()) {
        shared = shared == null || preferred ? id : shared;
      } else {
        local = local == null || preferred ? id : local;
      }
    }
    if (shared != null) {
      return new Choice(shared, Rule.SHARED_DISK, diskStorages);
    }
    return local != null
        ? new Choice(local, Rule.LOCAL_DISK, diskStorages)
        : new Choice("local", Rule.DEFAULT_LOCAL, diskStorages);
  }

  /** Where a hibernated VM's existing state lives: the storage of its {@code vmstate} volume. */
  public static Optional<String> existingStateStorage(VmConfig config) {
    return config.isHibernated()
        ? config.vmstate().flatMap(VmstateStorage::storageOf)
        : Optional.empty();
  }

  /**
   * The state volume's size: memory twice over plus the driver state, in MiB
   * (__snapshot_save_vmstate).
   */
  public static long sizeMiB(VmConfig config) throws PveFileException {
    return 2L * config.memoryMiB() + DRIVER_STATE_MIB;
  }

  /** The volume name qm suspend --todisk gives the state on {@code date}. */
  public static String volumeName(VmId vmid, LocalDate date, Storage storage) {
    return "vm-" + vmid + "-state-suspend-" + date + (storage.isFileBased() ? ".raw" : "");
  }

  /** Storage ids of the drives that count, unique and sorted as Perl's sort does (by string). */
  static List<String> diskStorages(VmConfig config) throws PveFileException {
    TreeSet<String> ids = new TreeSet<>();
    for (VmConfig.Disk disk : config.disks()) {
      if (!disk.isUnused() && disk.readByParseDrive() && !disk.isCdrom()) {
        storageOf(disk.volume()).ifPresent(ids::add);
      }
    }
    return List.copyOf(ids);
  }

  static Optional<String> storageOf(String volume) {
    Matcher m = StorageId.VOLUME.matcher(volume);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }
}
