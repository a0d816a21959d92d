package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.id.VmId;
import dev.guesthook.install.InstallException;
import dev.guesthook.install.Installer;
import dev.guesthook.install.Plan;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code guesthook install} and {@code guesthook uninstall}: attach guesthook to guests, and detach
 * it.
 */
final class InstallCommand {
  private InstallCommand() {}

  /** Which guests: some by id, or every guest on this node. */
  static final class Guests {
    @Option(
        names = "--vm",
        paramLabel = "VMID",
        required = true,
        description = "A guest (repeat for more).")
    List<String> vms = new ArrayList<>();

    @Option(
        names = "--all",
        required = true,
        description = "Every guest on this node (VMs and containers).")
    boolean all;

    List<VmId> resolve(Installer installer) {
      return all ? installer.allGuests() : vms.stream().map(VmId::parse).distinct().toList();
    }
  }

  @Command(
      name = "install",
      header =
          "Attach guesthook to guests: the hookscript client on a snippets storage, qm set --hookscript.",
      mixinStandardHelpOptions = true,
      description = {
        "Puts the hookscript client on a storage that takes snippets (--storage, or the first such storage",
        "on this node, shared ones first) and runs 'qm set <vmid> --hookscript <storage>:snippets/guesthook'",
        "('pct set' for containers). A guest's earlier hookscript is copied to",
        "/etc/guesthook/hooks.d/<vmid>/, where it keeps running as a hook; 'guesthook uninstall' puts it back.",
        "Nothing is done when anything is refused (a storage without snippets or without a path, a hookscript",
        "that is not a file here): each refusal says the fix. Proxmox's files are only read. With --dry-run:",
        "the plan, changing nothing. Exit 0 done (or nothing to do), 1 refused or a step failed, 2 bad arguments."
      })
  static final class Install implements Callable<Integer> {
    @ParentCommand Main main;

    @Option(
        names = "--storage",
        paramLabel = "ID",
        description = "The storage for the client (needs 'snippets' content and a path).")
    String storage;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Guests guests;

    @Override
    public Integer call() {
      return run(
          main,
          installer -> installer.install(Optional.ofNullable(storage), guests.resolve(installer)));
    }
  }

  @Command(
      name = "uninstall",
      header = "Detach guesthook from guests, putting back the hookscript each had before.",
      mixinStandardHelpOptions = true,
      description = {
        "Undoes exactly what 'guesthook install' did for each guest: the earlier hookscript is set again",
        "(or the hookscript removed when there was none) and its copy in /etc/guesthook/hooks.d/<vmid>/",
        "goes. A guest whose hookscript was changed since is left as it is, with a warning. With --dry-run:",
        "the plan, changing nothing."
      })
  static final class Uninstall implements Callable<Integer> {
    @ParentCommand Main main;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Guests guests;

    @Override
    public Integer call() {
      return run(main, installer -> installer.uninstall(guests.resolve(installer)));
    }
  }

  @FunctionalInterface
  interface Planner {
    Plan plan(Installer installer) throws Exception;
  }

  static int run(Main main, Planner planner) {
    return main.withHost(
        (settings, host, node) -> {
          Installer installer = new Installer(settings.root(), host, node, oneShot());
          Plan plan;
          try {
            plan = planner.plan(installer);
          } catch (IllegalArgumentException e) {
            main.console.error(e.getMessage());
            return ExitCodes.USAGE;
          }
          boolean refused = !plan.refusals().isEmpty();
          List<String> done = List.of();
          String failure = null;
          if (!refused && !settings.dryRun()) {
            try {
              done = plan.apply();
            } catch (InstallException e) {
              failure = e.getMessage();
            }
          }
          print(main, plan, settings.dryRun() || refused, done, failure);
          return refused || failure != null ? ExitCodes.HOOK_FAILED : ExitCodes.OK;
        });
  }

  private static void print(
      Main main, Plan plan, boolean planOnly, List<String> done, String failure) {
    PrintStream out = main.console.out();
    if (main.options.json) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("applied", !planOnly && failure == null);
      doc.put("steps", plan.steps().stream().map(Plan.Step::description).toList());
      doc.put("done", done);
      doc.put("unchanged", plan.unchanged());
      doc.put("warnings", plan.warnings());
      doc.put("refused", plan.refusals());
      if (failure != null) {
        doc.put("failed", failure);
      }
      out.println(Report.write(doc));
      return;
    }
    plan.refusals().forEach(r -> out.println("refused: " + r));
    plan.warnings().forEach(w -> out.println("warning: " + w));
    plan.unchanged().forEach(u -> out.println("unchanged: " + u));
    String verb =
        !plan.refusals().isEmpty()
            ? "not done (refused above): "
            : planOnly ? "would " : failure == null ? "done: " : "";
    if (failure == null) {
      plan.steps().forEach(s -> out.println(verb + s.description()));
    } else {
      done.forEach(d -> out.println("done: " + d));
      out.println("FAILED: " + failure);
    }
  }

  /** What the client falls back to: this installation's launcher, or the package's. */
  static Path oneShot() {
    Path launcher = Installation.home().resolve("guesthook");
    return Files.isExecutable(launcher) ? launcher : Path.of("/usr/bin/guesthook");
  }
}
