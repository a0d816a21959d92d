package dev.guesthook.engine;

import dev.guesthook.yaml.ConfigException;
import dev.guesthook.config.Settings;
import dev.guesthook.config.VmSettingsFile;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import dev.guesthook.core.settings.GuestSettings;
import dev.guesthook.core.settings.SettingsLayer;
import dev.guesthook.yaml.YamlNode;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** What a phase of a guest starts from: its event, and its hooks' settings checked against their declarations. */
final class GuestPhase {
  private GuestPhase() {}

  static LifecycleEvent event(Pve pve, Settings settings, VmId vmid, Phase phase, Instant time,
      Optional<String> migratedFrom) throws PveFileException {
    // Look the guest type up once; pve.config(vmid) only runs to produce the "no config" error.
    Optional<GuestType> found = pve.guestType(vmid);
    VmConfig config = found.isPresent() ? pve.config(found.get(), vmid) : pve.config(vmid);
    GuestType type = found.orElse(GuestType.QEMU);
    String node = settings.node().or(pve::nodeName).orElseGet(GuestPhase::hostName);
    return new LifecycleEvent(vmid, phase, type, node, time, config,
        LifecycleEvent.situationOf(phase, config, migratedFrom), migratedFrom);
  }

  /** guesthook.yaml's hooks and vms entries and the guest's own file, checked against the loaded hooks. */
  static GuestSettings hookSettings(Settings settings, HostPort host, VmId vmid, HookCatalog catalog)
      throws ConfigException {
    return GuestSettings.resolve(layers(settings, vmid, VmSettingsFile.read(host, settings.root(), vmid)),
        catalog.settingsSchemas(), catalog.namesNotChecked());
  }

  /** Where a guest's hook settings come from, weakest first: guesthook.yaml's hooks, its vms entry, the guest's file. */
  private static List<SettingsLayer> layers(Settings settings, VmId vmid, YamlNode.Mapping guestFile) {
    return List.of(
        new SettingsLayer("hooks.", settings.hookDefaults()),
        new SettingsLayer("vms." + vmid + ".", settings.vmHookSettings(vmid)),
        new SettingsLayer("", guestFile));
  }

  private static String hostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      int dot = name.indexOf('.');
      return dot > 0 ? name.substring(0, dot) : name;
    } catch (IOException e) {
      return "localhost";
    }
  }
}
