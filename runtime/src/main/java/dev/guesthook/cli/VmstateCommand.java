package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.HibernationPlan;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.Storage;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook vmstate <vmid>}: where {@code qm suspend --todisk} would put the VM's state. */
@Command(
    name = "vmstate",
    header = "Where qm suspend --todisk would save the VM's state, and whether it fits.",
    mixinStandardHelpOptions = true,
    description = {
      "Show where 'qm suspend VMID --todisk' would save the VM's state, chosen as qemu-server does:",
      "vmstatestorage from the config; else a shared storage of its disks; else a local one; else 'local'.",
      "Also says whether that storage is usable on this node and, when file based, whether its free",
      "space holds the state (2 x memory + 500 MiB). For a hibernated VM also where its state is now.",
      "Exit 0 when the storage is usable, 1 when it is not, 2 on bad arguments or files."
    })
final class VmstateCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(
      paramLabel = "VMID",
      description = "The VM (its config under <root>/etc/pve/qemu-server).")
  String vmid;

  @Override
  public Integer call() {
    Optional<VmId> parsed = main.vmidArgument(vmid);
    if (parsed.isEmpty()) {
      return ExitCodes.USAGE;
    }
    VmId id = parsed.get();
    return main.withHost(
        (settings, host, node) -> {
          HibernationPlan plan = HibernationPlan.of(new Pve(host), host, id, node);
          print(plan);
          return plan.ok() ? ExitCodes.OK : ExitCodes.HOOK_FAILED;
        });
  }

  private void print(HibernationPlan plan) {
    PrintStream out = main.console.out();
    if (main.options.json) {
      out.println(Report.write(json(plan)));
      return;
    }
    String storage = plan.choice().storage();
    String kind = plan.storage().map(VmstateCommand::kind).orElse("");
    plan.vmstate()
        .ifPresent(
            state ->
                out.println(
                    "VM "
                        + plan.vmid()
                        + " is hibernated; its state "
                        + state
                        + " is on '"
                        + plan.stateStorage().map(Storage::id).orElse("?")
                        + "'"
                        + plan.stateStorage().map(VmstateCommand::kind).orElse("")));
    out.println(
        plan.vmstate().isPresent()
            ? "  next:  the next qm suspend --todisk would save the state on '"
                + storage
                + "'"
                + kind
            : "VM "
                + plan.vmid()
                + ": qm suspend --todisk would save the state on '"
                + storage
                + "'"
                + kind);
    out.println(
        "  rule:  "
            + plan.choice().rule().why()
            + (plan.choice().diskStorages().isEmpty()
                ? ""
                : " (disk storages: " + String.join(", ", plan.choice().diskStorages()) + ")"));
    out.println(
        "  node:  "
            + plan.unavailable().map(why -> "FAIL " + why).orElse("ok, usable on " + plan.node()));
    String size = plan.sizeMiB() + " MiB (2 x memory + 500 MiB device state)";
    out.println(
        "  space: "
            + (plan.freeBytes().isEmpty()
                ? "not checked (" + unmeasured(plan) + "); needs " + size
                : (plan.fits().orElse(false) ? "ok, " : "FAIL only ")
                    + plan.freeBytes().getAsLong() / (1024 * 1024)
                    + " MiB free at "
                    + plan.storage().flatMap(s -> s.path()).orElse("?")
                    + "; needs "
                    + size));
    plan.warnings().forEach(warning -> out.println("  warning: " + warning));
  }

  private static String unmeasured(HibernationPlan plan) {
    if (plan.storage().isEmpty()) {
      return "unknown storage";
    }
    return plan.storage().get().isFileBased() ? "its path could not be measured" : "block storage";
  }

  private static String kind(Storage storage) {
    return " (" + storage.type() + ", " + (storage.shared() ? "shared" : "local") + ")";
  }

  private static Map<String, Object> json(HibernationPlan plan) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("vmid", plan.vmid().value());
    doc.put("storage", plan.choice().storage());
    doc.put("rule", plan.choice().rule().wireName());
    doc.put("ruleText", plan.choice().rule().why());
    doc.put("diskStorages", plan.choice().diskStorages());
    plan.storage()
        .ifPresent(
            s -> {
              doc.put("type", s.type());
              doc.put("shared", s.shared());
              doc.put("fileBased", s.isFileBased());
            });
    doc.put("node", plan.node());
    doc.put("availableOnNode", plan.unavailable().isEmpty());
    plan.unavailable().ifPresent(why -> doc.put("reason", why));
    doc.put("sizeMiB", plan.sizeMiB());
    plan.freeBytes().ifPresent(free -> doc.put("freeBytes", free));
    plan.fits().ifPresent(fits -> doc.put("fits", fits));
    doc.put("hibernated", plan.vmstate().isPresent());
    plan.vmstate().ifPresent(v -> doc.put("vmstate", v));
    plan.stateStorage().ifPresent(s -> doc.put("stateStorage", s.id()));
    doc.put("warnings", plan.warnings());
    doc.put("ok", plan.ok());
    return doc;
  }
}
