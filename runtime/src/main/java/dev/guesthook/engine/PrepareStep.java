package dev.guesthook.engine;

import dev.guesthook.config.GuestSettingsLayers;
import dev.guesthook.config.Settings;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.settings.GuestSettings;
import dev.guesthook.devices.Ledger;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.yaml.ConfigException;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * Step 3 of a phase, blocking: reads the guest's config through the port and builds its event,
 * loads its hooks, and checks every hook's settings before any hook runs, so a typo fails here with
 * nothing changed.
 */
final class PrepareStep {
  private final Settings settings;
  private final HostPort host;
  private final Clock clock;
  private final Function<VmId, HookCatalog> hooksOf;
  // Read at the first phase and kept, as Proxmox's own daemons keep theirs (PVE::INotify::nodename
  // caches it for the process's life): renaming a node means restarting its services. A resident
  // runtime so reads /etc/hostname once, not at every phase.
  private volatile String node;

  PrepareStep(Settings settings, HostPort host, Clock clock, Function<VmId, HookCatalog> hooksOf) {
    this.settings = settings;
    this.host = host;
    this.clock = clock;
    this.hooksOf = hooksOf;
  }

  /**
   * The name read first, kept; the system's host name stands in until one is read (an /etc/hostname
   * absent or mid-rewrite at the first phase is not kept for the runtime's life).
   */
  private String node(Pve pve) {
    String known = node;
    if (known == null) {
      Optional<String> named = GuestPhase.namedNode(pve, settings);
      if (named.isEmpty()) {
        return GuestPhase.hostName();
      }
      known = named.get();
      node = known;
    }
    return known;
  }

  /** Fails with {@link PveFileException} when the guest's config is missing or unusable. */
  PreparedPhase prepare(VmId vmid, Phase phase, Optional<String> migratedFrom, Ledger ledger)
      throws PveFileException, ConfigException {
    Pve pve = new Pve(host);
    LifecycleEvent event =
        GuestPhase.event(pve, node(pve), vmid, phase, clock.instant(), migratedFrom);
    settings.requireHookDirs();
    HookCatalog catalog = hooksOf.apply(vmid);
    GuestSettings hookSettings =
        GuestSettingsLayers.resolve(
            settings, host, vmid, catalog.settingsSchemas(), catalog.namesNotChecked());
    return new PreparedPhase(event, catalog, host, hookSettings, ledger);
  }
}
