package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.id.VmId;
import dev.guesthook.journal.JournalProblem;
import dev.guesthook.journal.Reconciler;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook reconcile}: puts back what guests that are not running still hold. */
@Command(
    name = "reconcile",
    header = "Put back the devices of guests that are not running (mdevs, drivers, VF links).",
    mixinStandardHelpOptions = true,
    description = {
      "Every change a pre-start makes for a guest is noted in its journal (/var/lib/guesthook/journal)",
      "before it is made. Proxmox does not run post-stop after a failed start or on a migration's",
      "source, and a process can be killed mid-phase: then the journal outlives the guest. For each",
      "guest with a journal that is not running, this removes the mdev instances, gives devices back",
      "to their drivers and restores VF link settings and vGPU types, newest first, and forgets the",
      "journal. Running guests, guests starting (pre-start succeeded within the last 10 minutes), guests",
      "with a phase under way, and devices another running guest holds are left alone.",
      "guesthook also does this before each pre-start (for that guest), after each post-stop, and when",
      "the resident runtime starts. With --dry-run: what it would do, changing nothing.",
      "A journal line that cannot be read is named with file and line and kept, with the devices it",
      "names, until you remove it; it never stops another guest. Files in the journal folder that are",
      "not <vmid>.jsonl are named and never read.",
      "Exit 0 when nothing failed, 1 when a step failed (its journal is kept for the next pass)."
    })
final class ReconcileCommand implements Callable<Integer> {
  static final String STRAY =
      "not a <vmid>.jsonl journal, never read; fix: move it out of the journal folder";

  @ParentCommand Main main;

  @Option(names = "--vm", paramLabel = "VMID", description = "Only this guest.")
  String vm;

  @Override
  public Integer call() {
    Optional<VmId> only;
    try {
      only = Optional.ofNullable(vm).map(VmId::parse);
    } catch (IllegalArgumentException e) {
      main.console.error(e.getMessage());
      return ExitCodes.USAGE;
    }
    return main.withRuntimeBlocking(
        runtime -> {
          Reconciler reconciler = runtime.engine().reconciler();
          Instant at = Instant.now();
          List<Reconciler.GuestResult> results =
              only.isPresent()
                  ? List.of(reconciler.guest(only.get(), false, false))
                  : reconciler.all(Optional.empty());
          print(results, reconciler.strays(), runtime.settings().dryRun());
          ClusterPublishing publishing =
              new ClusterPublishing(
                  runtime.publisher(), runtime.metrics(main.console::warn), main.console::warn);
          publishing.awaitAtMost(
              publishing.reconciled(results, "by hand", at), ClusterPublishing.ONE_SHOT_BOUND);
          return results.stream().anyMatch(r -> r.status() == Reconciler.Status.INCOMPLETE)
              ? ExitCodes.HOOK_FAILED
              : ExitCodes.OK;
        });
  }

  private void print(List<Reconciler.GuestResult> results, List<Path> strays, boolean dryRun) {
    PrintStream out = main.console.out();
    if (main.options.json) {
      out.println(
          Report.write(
              Map.of(
                  "dryRun",
                  dryRun,
                  "guests",
                  results.stream().map(ReconcileCommand::json).toList(),
                  "strays",
                  strays.stream().map(Path::toString).toList())));
      return;
    }
    strays.forEach(stray -> out.println("stray " + stray + ": " + STRAY));
    if (results.isEmpty()) {
      out.println("guesthook reconcile: no guest has a journal; nothing to put back");
      return;
    }
    for (Reconciler.GuestResult result : results) {
      out.println("VM " + result.vmid() + ": " + result.reason());
      result
          .steps()
          .forEach(
              step ->
                  out.println(
                      "  "
                          + (step.failed() ? "FAIL " : "")
                          + step.change()
                          + ": "
                          + step.outcome()));
      result
          .problems()
          .forEach(problem -> out.println("  UNREADABLE " + Reconciler.describe(problem)));
    }
  }

  private static Map<String, Object> json(Reconciler.GuestResult result) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("vmid", result.vmid().value());
    doc.put("status", result.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
    doc.put("reason", result.reason());
    doc.put(
        "steps",
        result.steps().stream()
            .map(
                step ->
                    Map.of(
                        "change",
                        step.change(),
                        "outcome",
                        step.outcome(),
                        "acted",
                        step.acted(),
                        "failed",
                        step.failed()))
            .toList());
    doc.put("problems", result.problems().stream().map(ReconcileCommand::json).toList());
    return doc;
  }

  private static Map<String, Object> json(JournalProblem problem) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("file", problem.file().toString());
    doc.put("line", problem.line());
    doc.put("message", problem.message());
    doc.put("mayHold", problem.mayHold().stream().map(Object::toString).sorted().toList());
    return doc;
  }
}
