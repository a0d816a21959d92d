package dev.guesthook.journal;

import dev.guesthook.id.PciAddress;
import java.nio.file.Path;
import java.util.Set;

/**
 * A journal line (or a whole journal file, {@code line} 0) this version cannot read. It is kept,
 * not released: the devices its text names ({@code mayHold}) stay the guest's until a person has
 * looked.
 */
public record JournalProblem(Path file, int line, String message, Set<PciAddress> mayHold) {
  /** {@code file:line}, or the file alone when the file as a whole is the problem. */
  public String where() {
    return line > 0 ? file + ":" + line : file.toString();
  }

  @Override
  public String toString() {
    return where() + ": " + message;
  }
}
