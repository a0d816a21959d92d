package dev.guesthook.engine;

import dev.guesthook.config.GuestSettingsLayers;
import dev.guesthook.config.Settings;
import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.dispatch.HookInvocation;
import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.core.dispatch.PhaseRequest;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.hookhost.HookCheck;
import dev.guesthook.core.hookhost.HookChecks;
import dev.guesthook.core.hookhost.HookLoader;
import dev.guesthook.core.settings.GuestSettings;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.sim.DryRunHost;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.Journals;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.yaml.ConfigException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code guesthook check}'s questions to a guest's hooks, asked without changing anything: do its
 * settings fit the hooks' declarations, and can this node give it what they ask for (each hook's
 * {@code check { }} block, run like a pre-start on a dry-run host)?
 */
public final class HookReadiness {
  /** One answer, from the settings or from a hook's check block. */
  public record Answer(String subject, HookCheck.Level level, String text) {}

  private final Settings settings;
  private final HostPort host;
  private final Clock clock;

  public HookReadiness(Settings settings, HostPort host, Clock clock) {
    this.settings = settings;
    this.host = new DryRunHost(host);
    this.clock = clock;
  }

  /**
   * Whether the guest's settings fit its hooks' declarations: the error a phase would stop with, if
   * any. A missing hook folder is not asked about here; the caller reports it once, not per guest.
   */
  public Optional<ConfigException> settingsProblem(VmId vmid) {
    try {
      hookSettings(vmid, loader().load(Optional.of(vmid)));
      return Optional.empty();
    } catch (ConfigException e) {
      return Optional.of(e);
    }
  }

  /**
   * The guest's hook settings as its hooks get them at a phase (layered, typed against what each
   * loaded hook declares); fails where a phase would stop before any hook runs.
   */
  public static GuestSettings settings(Settings settings, HostPort host, VmId vmid)
      throws ConfigException {
    // Reads only, so the host itself: no dry-run overlay (which does not follow a simulated
    // cluster node's links into the shared /etc/pve).
    settings.requireHookDirs();
    return resolve(settings, host, vmid, Engine.hookLoader(settings).load(Optional.of(vmid)));
  }

  private GuestSettings hookSettings(VmId vmid, HookCatalog catalog) throws ConfigException {
    return resolve(settings, host, vmid, catalog);
  }

  private static GuestSettings resolve(
      Settings settings, HostPort host, VmId vmid, HookCatalog catalog) throws ConfigException {
    return GuestSettingsLayers.resolve(
        settings, host, vmid, catalog.settingsSchemas(), catalog.namesNotChecked());
  }

  private HookLoader loader() {
    return Engine.hookLoader(settings);
  }

  public List<Answer> check(VmId vmid) throws PveFileException {
    List<Answer> out = new ArrayList<>();
    Pve pve = new Pve(host);
    LifecycleEvent event =
        GuestPhase.event(
            pve,
            GuestPhase.nodeName(pve, settings),
            vmid,
            Phase.PRE_START,
            clock.instant(),
            Optional.empty());
    HookCatalog catalog = loader().load(Optional.of(vmid));
    // A hook file that does not load fails the phases it names; check says so before the phase
    // does.
    catalog
        .errors()
        .forEach(
            error ->
                out.add(
                    new Answer(
                        "hook file " + Path.of(error.file()).getFileName(),
                        HookCheck.Level.FAIL,
                        error.message())));
    GuestSettings hookSettings;
    try {
      settings.requireHookDirs();
      hookSettings = hookSettings(vmid, catalog);
    } catch (ConfigException e) {
      out.add(new Answer("settings", HookCheck.Level.FAIL, e.getMessage()));
      return out;
    }
    out.add(
        new Answer("settings", HookCheck.Level.PASS, "every hook's settings fit its declaration"));
    PhaseRequest request =
        PhaseRequests.of(
            event,
            host,
            settings,
            (HookLine line) -> {},
            hookSettings::of,
            true,
            // What guests hold, as a pre-start sees it: a starting guest's mdev is no leftover.
            Journals.under(settings.root(), Duration.ZERO, clock).reading(vmid));
    for (Hook hook : catalog.hooks()) {
      if (HookChecks.has(hook)) {
        HookInvocation invocation = HookInvocation.standalone(hook, request);
        HookChecks.run(hook, invocation, hook.timeout().orElse(settings.hookTimeout()))
            .forEach(line -> out.add(new Answer("hook " + hook.name(), line.level(), line.text())));
      }
    }
    return out;
  }
}
