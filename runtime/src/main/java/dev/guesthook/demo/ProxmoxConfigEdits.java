package dev.guesthook.demo;

import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.StorageConfig;
import dev.guesthook.pve.VmstateStorage;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.stream.Collectors;

/**
 * What qemu-server writes into a guest's config around hibernation, for the demo and the test kit
 * to play Proxmox: {@code qm suspend --todisk} adds {@code lock: suspended} and the {@code vmstate}
 * volume on the storage find_vmstate_storage picks; a resume drops both.
 */
public final class ProxmoxConfigEdits {
  private ProxmoxConfigEdits() {}

  public static String hibernated(HostPort host, VmId vmid, String configText)
      throws PveFileException {
    Pve pve = new Pve(host);
    StorageConfig storages = pve.storageConfig();
    String storage = VmstateStorage.choose(pve.config(vmid), storages).storage();
    String volume =
        VmstateStorage.volumeName(
            vmid, LocalDate.now(ZoneOffset.UTC), storages.get(storage).orElseThrow());
    return "lock: suspended\n" + configText + "vmstate: " + storage + ":" + volume + "\n";
  }

  public static String resumed(String configText) {
    return configText
        .lines()
        .filter(line -> !line.startsWith("vmstate:") && !line.startsWith("lock:"))
        .collect(Collectors.joining("\n", "", "\n"));
  }
}
