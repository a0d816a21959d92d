package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.check.CheckItem;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pass/warn/fail list as {@code check} and {@code doctor} print it: aligned lines and a count, or
 * JSON.
 */
final class ChecklistReport {
  private ChecklistReport() {}

  /**
   * {@code header}: the JSON document's first fields (node, vmid); {@code title}: the first human
   * line.
   */
  static void print(
      PrintStream out,
      boolean json,
      String command,
      String title,
      Map<String, Object> header,
      List<CheckItem> items) {
    Map<CheckItem.Status, Long> counts = new LinkedHashMap<>();
    for (CheckItem.Status status : CheckItem.Status.values()) {
      counts.put(status, items.stream().filter(i -> i.status() == status).count());
    }
    if (json) {
      Map<String, Object> doc = new LinkedHashMap<>(header);
      List<Map<String, Object>> list = new ArrayList<>();
      for (CheckItem item : items) {
        list.add(itemJson(item));
      }
      doc.put("items", list);
      counts.forEach((status, n) -> doc.put(status.wireName(), n));
      out.println(Report.write(doc));
      return;
    }
    out.println(title);
    for (CheckItem item : items) {
      out.println(
          String.format(
              "  %-4s  %-22s %s", item.status().wireName(), item.subject(), item.detail()));
    }
    out.println(
        command
            + ": "
            + counts.get(CheckItem.Status.FAIL)
            + " fail, "
            + counts.get(CheckItem.Status.WARN)
            + " warn, "
            + counts.get(CheckItem.Status.PASS)
            + " pass");
  }

  /**
   * In reading order, the same in every run (Map.of's iteration order changes from one JVM to the
   * next).
   */
  private static Map<String, Object> itemJson(CheckItem item) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("status", item.status().wireName());
    fields.put("subject", item.subject());
    fields.put("detail", item.detail());
    fields.putAll(item.facts());
    return fields;
  }

  static int exitCode(List<CheckItem> items) {
    return items.stream().anyMatch(i -> i.status() == CheckItem.Status.FAIL)
        ? ExitCodes.HOOK_FAILED
        : ExitCodes.OK;
  }
}
