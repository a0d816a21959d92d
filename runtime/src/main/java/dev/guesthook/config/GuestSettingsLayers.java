package dev.guesthook.config;

import dev.guesthook.core.settings.GuestSettings;
import dev.guesthook.core.settings.SettingsLayer;
import dev.guesthook.core.settings.SettingsSchema;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.yaml.ConfigException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a guest's hook settings come from, weakest first: guesthook.yaml's {@code hooks} (every
 * guest), its {@code vms."<vmid>"} entry, and the guest's own {@code
 * /etc/pve/guesthook/<vmid>.yaml}. Later layers win, key by key; {@code
 * core.settings.GuestSettings} types the merge against what the loaded hooks declare.
 */
public final class GuestSettingsLayers {
  private GuestSettingsLayers() {}

  /**
   * Reads the guest's own file through the host; fails on a file that is not a mapping of hooks.
   */
  public static List<SettingsLayer> of(Settings settings, HostPort host, VmId vmid)
      throws ConfigException {
    return List.of(
        new SettingsLayer("hooks.", settings.hookDefaults()),
        new SettingsLayer("vms." + vmid + ".", settings.vmHookSettings(vmid)),
        new SettingsLayer("", VmSettingsFile.read(host, settings.root(), vmid)));
  }

  /**
   * The guest's layers merged and checked against the loaded hooks' declarations: a typo fails
   * here, before any hook runs.
   *
   * @param declared the loaded hooks' declarations, by hook name
   * @param masked hooks an admin masked for this guest: settings for them are not an error
   */
  public static GuestSettings resolve(
      Settings settings,
      HostPort host,
      VmId vmid,
      Map<String, SettingsSchema> declared,
      Set<String> masked)
      throws ConfigException {
    return GuestSettings.resolve(of(settings, host, vmid), declared, masked);
  }
}
