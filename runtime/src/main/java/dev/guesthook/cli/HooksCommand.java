package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.hookhost.HookCatalog;
import dev.guesthook.core.hookhost.HookCatalog.Notice;
import dev.guesthook.core.settings.SettingsSchema;
import dev.guesthook.id.VmId;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code guesthook hooks}: which hooks run, in which order, for which phases, and what is broken.
 */
@Command(
    name = "hooks",
    header = "The hooks a guest gets, their order and phases, and load errors.",
    mixinStandardHelpOptions = true,
    description = {
      "List the hooks found, in run order, with their phases and any load error; with --settings, the",
      "settings each declares (what /etc/pve/guesthook/<vmid>.yaml and guesthook.yaml may say for it).",
      "Exit 1 when a hook file is refused or broken, so a check in CI or after an edit fails."
    })
final class HooksCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(
      names = "--vmid",
      paramLabel = "VMID",
      description = "Include the hooks of this guest's own folder.")
  String vmid;

  @Option(
      names = "--settings",
      description = "Also list each hook's declared settings: name, type, default, meaning.")
  boolean settings;

  @Override
  public Integer call() {
    Optional<VmId> guest;
    try {
      guest = Optional.ofNullable(vmid).map(VmId::parse);
    } catch (IllegalArgumentException e) {
      main.console.error(e.getMessage());
      return ExitCodes.USAGE;
    }
    return main.withRuntimeToRead(
        runtime ->
            runtime
                .vertx()
                .executeBlocking(() -> runtime.engine().hookLoader().load(guest), false)
                .compose(catalog -> Future.succeededFuture(print(catalog))));
  }

  private int print(HookCatalog catalog) {
    if (main.options.json) {
      main.console.out().println(Report.write(json(catalog)));
    } else {
      main.console
          .out()
          .println(
              String.format(
                  "%-6s %-24s %-11s %-40s %s", "ORDER", "NAME", "KIND", "PHASES", "FILE"));
      for (Hook hook : catalog.hooks()) {
        String order = hook.order() == Integer.MIN_VALUE ? "-" : Integer.toString(hook.order());
        main.console
            .out()
            .println(
                String.format(
                    "%-6s %-24s %-11s %-40s %s",
                    order, hook.name(), hook.kind(), phases(hook), hook.origin()));
        SettingsSchema declared = HookCatalog.settingsOf(hook);
        if (settings && declared.declared()) {
          declared.describe().forEach(line -> main.console.out().println("       " + line));
        }
      }
      for (Notice notice : catalog.notices()) {
        String where = notice.message().startsWith(notice.file()) ? "" : notice.file() + ": ";
        main.console
            .out()
            .println(
                notice.severity().name().toLowerCase(Locale.ROOT)
                    + ": "
                    + where
                    + notice.message());
      }
      catalog.cacheProblem().ifPresent(problem -> main.console.out().println("note: " + problem));
    }
    return catalog.errors().isEmpty() ? ExitCodes.OK : ExitCodes.HOOK_FAILED;
  }

  private static String phases(Hook hook) {
    return hook.phases().stream().map(Phase::wireName).collect(Collectors.joining(","));
  }

  private static Map<String, Object> json(HookCatalog catalog) {
    List<Map<String, Object>> hooks = new ArrayList<>();
    for (Hook hook : catalog.hooks()) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("name", hook.name());
      item.put("order", hook.order() == Integer.MIN_VALUE ? null : hook.order());
      item.put("kind", hook.kind());
      item.put("phases", hook.phases().stream().map(Phase::wireName).toList());
      item.put("origin", hook.origin());
      item.put("error", HookCatalog.loadError(hook).orElse(null));
      hooks.add(item);
    }
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("hooks", hooks);
    doc.put(
        "notices",
        catalog.notices().stream()
            .map(
                n ->
                    Map.of(
                        "file",
                        n.file(),
                        "severity",
                        n.severity().name().toLowerCase(Locale.ROOT),
                        "message",
                        n.message()))
            .toList());
    doc.put("compiled", catalog.compiled());
    doc.put("cached", catalog.cached());
    return doc;
  }
}
