package dev.guesthook.cluster;

import java.util.Optional;

/**
 * How much of one kind of file a reader takes from all nodes together. Each file is bounded, but a
 * reader holds every node's parsed data at once and any node can make node folders: without a total
 * a hundred files at their bound filled the 128 MB heap. Nodes are read in name order; those past
 * the budget are named, not read.
 */
final class ReadBudget {
  private final String file;
  private final long bytes;
  private long spent;

  ReadBudget(String file, long bytes) {
    this.file = file;
    this.bytes = bytes;
  }

  /** Why the next node's file is not read; empty while the budget lasts. */
  Optional<String> spentUp() {
    return spent < bytes
        ? Optional.empty()
        : Optional.of(
            "not read: over guesthook's budget of "
                + bytes / 1024
                + " KiB for all nodes' "
                + file
                + " (nodes are read in name order)");
  }

  void spend(int read) {
    spent += read;
  }
}
