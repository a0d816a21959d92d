package dev.guesthook.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.core.dispatch.HookOutcome.Status;
import dev.guesthook.core.dispatch.HookOutcome.UndoOutcome;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostInteraction;
import dev.guesthook.journald.Priority;
import dev.guesthook.json.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Renders a phase's result: short ASCII lines for the Proxmox task log, or one JSON document. Host
 * changes are always listed under the hook that made them: that is the record shell hookscripts
 * never left.
 */
final class Report {
  private static final ObjectWriter JSON = Json.MAPPER.writer(SerializationFeature.INDENT_OUTPUT);

  /** The result of a change a dry run lists: the dry run's overlay took it, the host did not. */
  static final String PLANNED = "planned";

  private Report() {}

  static String header(LifecycleEvent event, int hooks, boolean dryRun) {
    return "guesthook: "
        + (event.guestType().wireName().equals("lxc") ? "CT " : "VM ")
        + event.vmid()
        + " "
        + event.phase()
        + " ("
        + event.situation()
        + ") on "
        + event.node()
        + ": "
        + hooks
        + (hooks == 1 ? " hook" : " hooks")
        + (dryRun ? " [dry run: nothing is changed]" : "");
  }

  /**
   * Where a report's lines go: the hook a line is about (none for the phase's summary), how bad it
   * is, its text.
   */
  @FunctionalInterface
  interface Lines {
    void line(Optional<String> hook, Priority priority, String text);
  }

  static void human(DispatchResult result, boolean strict, boolean dryRun, PrintStream out) {
    human(result, strict, dryRun, (hook, priority, text) -> out.println(text));
  }

  static void human(DispatchResult result, boolean strict, boolean dryRun, Lines out) {
    for (HookOutcome hook : result.hooks()) {
      Optional<String> name = Optional.of(hook.hook());
      String took =
          hook.status() == Status.SKIPPED ? "" : " (" + hook.duration().toMillis() + " ms)";
      out.line(
          name,
          hook.failed() ? Priority.ERR : Priority.INFO,
          String.format(
              "  %-8s %s%s%s",
              label(hook.status()),
              hook.hook(),
              took,
              hook.message().isEmpty() ? "" : ": " + hook.message()));
      for (HostInteraction change : changes(hook)) {
        out.line(
            name,
            change.failed() ? Priority.ERR : Priority.INFO,
            "      " + (dryRun ? "would " : "") + describe(change));
      }
      for (UndoOutcome undo : hook.undo()) {
        out.line(
            name,
            undo.ok() ? Priority.INFO : Priority.ERR,
            "      undo "
                + undo.description()
                + ": "
                + (undo.ok() ? "ok" : "FAILED: " + undo.message()));
      }
    }
    boolean failed = result.hooks().stream().anyMatch(HookOutcome::failed);
    out.line(
        Optional.empty(),
        !failed
            ? Priority.INFO
            : ExitCodes.ofPhase(result, strict) == ExitCodes.OK ? Priority.WARNING : Priority.ERR,
        summary(result, strict));
  }

  static String summary(DispatchResult result, boolean strict) {
    String phase = result.event().phase().wireName();
    long failed = result.hooks().stream().filter(HookOutcome::failed).count();
    if (failed == 0) {
      return "guesthook: " + phase + " ok";
    }
    String count = failed + " of " + result.hooks().size() + " hooks failed";
    if (result.rolledBack()) {
      long undone = result.hooks().stream().mapToLong(h -> h.undo().size()).sum();
      long undoFailed =
          result.hooks().stream().flatMap(h -> h.undo().stream()).filter(u -> !u.ok()).count();
      return "guesthook: "
          + phase
          + " failed: "
          + count
          + "; "
          + undone
          + " undo steps run"
          + (undoFailed > 0 ? " (" + undoFailed + " FAILED: check the host by hand)" : "")
          + "; the start is aborted";
    }
    return "guesthook: "
        + phase
        + ": "
        + count
        + (ExitCodes.ofPhase(result, strict) == ExitCodes.OK ? " (reported only)" : "");
  }

  /**
   * A dry run says so at the top, and each change it lists as {@code "planned"}: nothing was done.
   */
  static String json(DispatchResult result, boolean strict, boolean dryRun) {
    LifecycleEvent event = LifecycleEvent.of(result.event());
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("vmid", event.vmid().value());
    doc.put("phase", event.phase().wireName());
    doc.put("situation", event.situation().wireName());
    doc.put("guestType", event.guestType().wireName());
    doc.put("node", event.node());
    doc.put("time", event.time().toString());
    doc.put("dryRun", dryRun);
    doc.put("outcome", result.overall());
    doc.put("exitCode", ExitCodes.ofPhase(result, strict));
    doc.put("configProblems", event.config().problems());
    List<Map<String, Object>> hooks = new ArrayList<>();
    for (HookOutcome hook : result.hooks()) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("name", hook.hook());
      item.put("origin", hook.origin());
      item.put("outcome", hook.status().wireName());
      item.put("durationMs", hook.duration().toMillis());
      item.put("message", hook.message());
      item.put(
          "changes", changes(hook).stream().map(change -> changeJson(change, dryRun)).toList());
      item.put("undo", hook.undo().stream().map(Report::undoJson).toList());
      hooks.add(item);
    }
    doc.put("hooks", hooks);
    return write(doc);
  }

  static String write(Object doc) {
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes and commands; a command the simulator declined to run changed nothing and is left out.
   */
  private static List<HostInteraction> changes(HookOutcome hook) {
    return hook.interactions().stream()
        .filter(HostInteraction::changesHost)
        .filter(change -> !change.notSimulated())
        .toList();
  }

  private static String describe(HostInteraction change) {
    String what =
        switch (change.kind()) {
          case WRITE -> "write " + shown(change.value()) + " to " + change.target();
          case MKDIR -> "mkdir -p " + change.target();
          case DELETE -> "delete " + change.target();
          default -> "run " + change.target();
        };
    return what + (change.failed() ? " -> " + change.shownResult() : "");
  }

  /**
   * A one-line value as written; a document (saved state) by its size, the JSON report has it
   * whole.
   */
  private static String shown(String value) {
    String body = value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
    return body.contains("\n") ? "(" + body.lines().count() + " lines)" : "'" + body + "'";
  }

  private static Map<String, Object> changeJson(HostInteraction change, boolean dryRun) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("kind", change.kind().wireName());
    item.put("target", change.target());
    if (change.value() != null) {
      item.put("value", change.value());
    }
    item.put("result", dryRun && !change.failed() ? PLANNED : change.shownResult());
    item.put("failed", change.failed());
    return item;
  }

  private static Map<String, Object> undoJson(UndoOutcome undo) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("description", undo.description());
    item.put("ok", undo.ok());
    item.put("message", undo.message());
    return item;
  }

  private static String label(Status status) {
    return switch (status) {
      case OK -> "ok";
      case FAILED -> "FAILED";
      case TIMED_OUT -> "TIMEOUT";
      case SKIPPED -> "skipped";
    };
  }
}
