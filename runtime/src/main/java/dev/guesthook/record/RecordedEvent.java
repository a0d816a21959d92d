package dev.guesthook.record;

import java.nio.file.Path;

/** One event read back from a recording, with where it came from. */
public record RecordedEvent(Path file, int line, Recording recording, String text) {
  /** An event not read from a file: its line is what the codec writes. */
  public RecordedEvent(Path file, int line, Recording recording) {
    this(file, line, recording, RecordingCodec.write(recording));
  }

  public int vmid() {
    return recording.event().vmid().value();
  }

  public String phase() {
    return recording.event().phase().wireName();
  }

  public String time() {
    return recording.event().time().toString();
  }

  /**
   * The record as its line holds it, for {@code events --json}: as stored, with any field this
   * guesthook does not read, not as the codec would write it again.
   */
  public String json() {
    return text;
  }

  /**
   * One line for a timeline: time, VM, phase and situation, outcome, and each hook that did
   * something.
   */
  public String summary() {
    StringBuilder out =
        new StringBuilder(
            time()
                + "  VM "
                + vmid()
                + " "
                + phase()
                + " ("
                + recording.event().situation().wireName()
                + "): "
                + recording.outcome());
    for (Recording.Hook hook : recording.hooks()) {
      if (!hook.outcome().equals("skipped")) {
        long changes = hook.changes();
        out.append("; ")
            .append(hook.name())
            .append(' ')
            .append(hook.outcome())
            .append(" (")
            .append(changes)
            .append(changes == 1 ? " change)" : " changes)");
      }
    }
    return out.toString();
  }
}
