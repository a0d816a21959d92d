package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.check.CheckItem;
import dev.guesthook.check.ReadinessCheck;
import dev.guesthook.engine.HookReadiness;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.Pve;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook check [VMID]}: is this node (and this VM's devices) ready for passthrough? */
@Command(
    name = "check",
    header = "Is this node (and a VM's devices) ready for passthrough? pass/warn/fail.",
    mixinStandardHelpOptions = true,
    description = {
      "Check this node for PCI passthrough: IOMMU on, vfio modules loaded. With a VMID, also each",
      "hostpciN of the VM: the device is there, alone in its IOMMU group (its own functions and bridges",
      "allowed), its driver, its reset methods (with the advice for a GPU without one and for vendor-reset),",
      "free instances of its mdev type, its VF, its resource mapping, and the",
      "q35/OVMF advice for a GPU with x-vga. Then, for that VM (without a VMID, for every guest): hook files",
      "that do not load, its hook settings against what each hook declares, and each hook's own check of the",
      "host, made on a dry run: an mdev type the GPU offers with enough free instances, a VF count within",
      "sriov_totalvfs, enough free VFs. Prints pass/warn/fail per line.",
      "Exit 0 with no fail, 1 with any fail, 2 on bad arguments or files."
    })
final class CheckCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(arity = "0..1", paramLabel = "VMID", description = "Also check this VM's devices.")
  String vmid;

  @Override
  public Integer call() {
    Optional<VmId> id;
    try {
      id = Optional.ofNullable(vmid).map(VmId::parse);
    } catch (IllegalArgumentException e) {
      main.console.error(e.getMessage());
      return ExitCodes.USAGE;
    }
    return main.withHost(
        (settings, host, node) -> {
          ReadinessCheck check = new ReadinessCheck(host, node);
          HookReadiness hooks = new HookReadiness(settings, host, Clock.systemUTC());
          List<CheckItem> items =
              new ArrayList<>(id.isPresent() ? check.vm(id.get()) : check.node(false));
          List<VmId> guests = id.map(List::of).orElseGet(() -> new Pve(host).guests());
          for (VmId guest : guests) {
            String prefix = id.isPresent() ? "" : "VM " + guest + " ";
            hooks
                .check(guest)
                .forEach(answer -> items.add(item(prefix + answer.subject(), answer)));
          }
          print(node, id, items);
          return ChecklistReport.exitCode(items);
        });
  }

  private static CheckItem item(String subject, HookReadiness.Answer answer) {
    return switch (answer.level()) {
      case PASS -> CheckItem.pass(subject, answer.text());
      case WARN -> CheckItem.warn(subject, answer.text());
      case FAIL -> CheckItem.fail(subject, answer.text());
    };
  }

  private void print(String node, Optional<VmId> id, List<CheckItem> items) {
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("node", node);
    id.ifPresent(v -> header.put("vmid", v.value()));
    ChecklistReport.print(
        main.console.out(),
        main.options.json,
        "guesthook check",
        "guesthook check on " + node + id.map(v -> ", VM " + v).orElse(""),
        header,
        items);
  }
}
