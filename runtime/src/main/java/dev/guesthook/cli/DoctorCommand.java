package dev.guesthook.cli;

import dev.guesthook.check.CheckItem;
import dev.guesthook.config.Settings;
import dev.guesthook.core.hookhost.HookLoader;
import dev.guesthook.core.settings.SettingsException;
import dev.guesthook.engine.Engine;
import dev.guesthook.engine.HookReadiness;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.VmId;
import dev.guesthook.install.Doctor;
import dev.guesthook.journal.Journals;
import dev.guesthook.pve.Pve;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook doctor}: everything between Proxmox and the hooks, each line with its fix. */
@Command(
    name = "doctor",
    header =
        "Check everything between Proxmox and the hooks: service, socket, each guest's hookscript, hooks, journals,"
            + " recordings.",
    mixinStandardHelpOptions = true,
    description = {
      "Reads, never changes: whether the resident runtime runs and listens; for every guest on this node,",
      "whether its hookscript is guesthook's client, present and executable on a storage this node has (or",
      "another script, or none); hook files that do not load; journals of guests that are not running;",
      "recordings of guests that are no longer on this node; hook folders that do not exist; each guest's",
      "hook settings against what its hooks declare (settings for a hook not loaded here are a warning).",
      "Each line is pass, warn or fail with the command that fixes it. Exit 0 without a fail, 1 with one."
    })
final class DoctorCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Override
  public Integer call() {
    return main.withHost(
        (settings, host, node) -> {
          HookLoader hooks = Engine.hookLoader(settings);
          List<VmId> guests = new Pve(host).guests();
          List<CheckItem> items =
              new ArrayList<>(
                  new Doctor(settings.root(), host, node)
                      .examine(
                          hooks.load(Optional.empty()),
                          Journals.under(settings.root(), settings.hookTimeout(), Clock.systemUTC())
                              .directory(),
                          settings.recordingDir(),
                          guests));
          items.addAll(hookFolders(settings));
          items.addAll(guestSettings(settings, host, guests));
          ChecklistReport.print(
              main.console.out(),
              main.options.json,
              "guesthook doctor",
              "guesthook doctor on " + node,
              Map.of("node", node),
              items);
          return ChecklistReport.exitCode(items);
        });
  }

  /**
   * A hook folder that is configured but missing runs no hooks at all: every phase would stop on
   * it.
   */
  private static List<CheckItem> hookFolders(Settings settings) {
    List<CheckItem> items = new ArrayList<>();
    for (Path dir : settings.missingHookDirs()) {
      items.add(
          CheckItem.fail(
              "hook folder",
              dir
                  + " does not exist: every phase stops with exit 2; fix: create it,"
                  + " or correct hook-dirs in /etc/guesthook/guesthook.yaml"));
    }
    return items;
  }

  /**
   * Each guest's settings against its hooks' declarations; a hook name nobody loads is a warning.
   */
  private static List<CheckItem> guestSettings(
      Settings settings, HostPort host, List<VmId> guests) {
    HookReadiness readiness = new HookReadiness(settings, host, Clock.systemUTC());
    List<CheckItem> items = new ArrayList<>();
    for (VmId vmid : guests) {
      readiness
          .settingsProblem(vmid)
          .ifPresent(
              problem -> {
                String fix = "; after correcting it: guesthook check " + vmid;
                items.add(
                    problem instanceof SettingsException settingsError
                            && settingsError.unknownHook()
                        ? CheckItem.warn(
                            "VM " + vmid + " settings",
                            problem.getMessage()
                                + "; its phases stop (exit 2) on this"
                                + " node until the hook is installed here or the settings go"
                                + fix)
                        : CheckItem.fail("VM " + vmid + " settings", problem.getMessage() + fix));
              });
    }
    return items;
  }
}
