package dev.guesthook.journal;

import dev.guesthook.host.sim.Faults;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Journal writes that fail on purpose, for tests. They come from the sandbox's fault list (where
 * the simulator's faults are kept), so a test reaches a guesthook process it starts; a node has
 * none.
 */
@FunctionalInterface
interface WriteFaults {
  WriteFaults NONE = kind -> Optional.empty();

  /**
   * How the next write of a line of {@code kind} ({@code intent}, {@code result}) fails: {@code
   * short}, {@code ENOSPC}.
   */
  Optional<String> next(String kind);

  /** The faults of the tree at {@code root}: a sandbox's, or none. */
  static WriteFaults under(Path root) {
    return Faults.ofSandbox(root).<WriteFaults>map(faults -> faults::journalWrite).orElse(NONE);
  }
}
