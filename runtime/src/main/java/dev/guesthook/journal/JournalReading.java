package dev.guesthook.journal;

import dev.guesthook.devices.Change;
import dev.guesthook.id.PciAddress;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one guest's journal says, read line by line: the changes noted (in the order they were
 * made), the last successful pre-start, the highest change number, and the lines that could not be
 * read.
 */
public record JournalReading(
    List<Change> changes,
    Optional<Instant> lastStarted,
    int lastSeq,
    List<JournalProblem> problems) {
  static final JournalReading NONE = new JournalReading(List.of(), Optional.empty(), 0, List.of());

  /**
   * False when there was no journal file at all (the usual case at a pre-start): then there is
   * nothing to delete either. {@link #NONE} is that reading alone; an empty file reads as another.
   */
  boolean found() {
    return this != NONE;
  }

  /** Nothing noted and nothing unreadable: the journal can go. */
  public boolean isEmpty() {
    return changes.isEmpty() && problems.isEmpty();
  }

  /** Every device the journal names: those of its changes, and those unreadable lines may hold. */
  public Set<PciAddress> devices() {
    Set<PciAddress> out = new HashSet<>();
    changes.forEach(change -> out.add(change.device()));
    problems.forEach(problem -> out.addAll(problem.mayHold()));
    return out;
  }
}
