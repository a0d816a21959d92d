package dev.guesthook.cli;

import dev.guesthook.check.CheckItem;
import dev.guesthook.hookhost.HookLoader;
import dev.guesthook.install.Doctor;
import dev.guesthook.journal.Journals;
import dev.guesthook.pve.Pve;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook doctor}: everything between Proxmox and the hooks, each line with its fix. */
@Command(
    name = "doctor",
    header = "Check everything between Proxmox and the hooks: service, socket, each guest's hookscript, hooks, journals,"
        + " recordings.",
    mixinStandardHelpOptions = true,
    description = {
      "Reads, never changes: whether the resident runtime runs and listens; for every guest on this node,",
      "whether its hookscript is guesthook's client, present and executable on a storage this node has (or",
      "another script, or none); hook files that do not load; journals of guests that are not running;",
      "recordings of guests that are no longer on this node.",
      "Each line is pass, warn or fail with the command that fixes it. Exit 0 without a fail, 1 with one."
    })
final class DoctorCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Override
  public Integer call() {
    return main.withHost((settings, host, node) -> {
      HookLoader hooks = new HookLoader(settings.hookDirs(), settings.cacheDir(), settings.hookTimeout());
      List<CheckItem> items = new Doctor(settings.root(), host, node).examine(hooks.load(Optional.empty()),
          Journals.under(settings.root(), settings.hookTimeout(), Clock.systemUTC()).directory(), settings.recordingDir(),
          new Pve(host).guests());
      ChecklistReport.print(main.console.out(), main.options.json, "guesthook doctor", "guesthook doctor on " + node,
          Map.of("node", node), items);
      return ChecklistReport.exitCode(items);
    });
  }
}
