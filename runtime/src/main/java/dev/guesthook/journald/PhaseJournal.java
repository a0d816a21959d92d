package dev.guesthook.journald;

import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.core.dispatch.HookLog;
import dev.guesthook.core.event.Phase;
import dev.guesthook.id.VmId;
import java.util.Optional;

/**
 * One phase's lines as journal entries, each with the guest ({@code VMID}), the phase ({@code
 * PHASE}) and, for a line from or about a hook, the hook ({@code HOOK}), so {@code journalctl
 * VMID=101} is one guest's story. MESSAGE is the task-log line without its indentation and without
 * the leading "guesthook: ", which the journal shows as the line's identifier already.
 */
public record PhaseJournal(Journald journald, VmId vmid, Phase phase) {
  private static final String OWN_PREFIX = "guesthook: ";

  public void line(Optional<String> hook, Priority priority, String text) {
    if (!journald.isOn()) {
      return; // no entry is even built without a journal
    }
    String message = text.strip();
    JournalEntry entry =
        JournalEntry.message(
                priority,
                message.startsWith(OWN_PREFIX) ? message.substring(OWN_PREFIX.length()) : message)
            .with("VMID", vmid.toString())
            .with("PHASE", phase.wireName());
    hook.ifPresent(name -> entry.with("HOOK", name));
    journald.send(entry);
  }

  /** A hook's message is one entry however many lines it has, at the priority of its level. */
  public void hookLine(HookLine line) {
    line(Optional.of(line.hook()), priority(line.level()), "[" + line.hook() + "] " + line.text());
  }

  static Priority priority(HookLog.Level level) {
    return switch (level) {
      case DEBUG -> Priority.DEBUG;
      case INFO -> Priority.INFO;
      case WARN -> Priority.WARNING;
      case ERROR -> Priority.ERR;
    };
  }
}
