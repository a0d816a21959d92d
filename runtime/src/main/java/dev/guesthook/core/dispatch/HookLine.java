package dev.guesthook.core.dispatch;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One message a hook logged (or one line its executable printed): which hook, how loud, and the
 * text, which may span lines. Kept whole so that a log with fields (journald) can tell the hook and
 * level without reading them back out of the task-log text.
 */
public record HookLine(String hook, HookLog.Level level, String text) {
  /**
   * As the Proxmox task log shows it: a line per line of text, indented, the hook's name in
   * brackets, the level unless info.
   */
  public List<String> taskLog() {
    String prefix =
        "  ["
            + hook
            + "] "
            + (level == HookLog.Level.INFO ? "" : level.name().toLowerCase(Locale.ROOT) + ": ");
    return Arrays.stream(text.split("\n", -1)).map(line -> prefix + line).toList();
  }
}
