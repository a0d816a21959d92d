package dev.guesthook.core.hookhost;

import dev.guesthook.files.SafeFiles;
import java.nio.file.Path;
import java.util.Optional;

/** Hook files are trusted by the rule of {@link SafeFiles}, the one place that knows it. */
public final class FileSafety {
  private FileSafety() {}

  /** Why this path must not be trusted, with the command that fixes it; empty when it is fine. */
  public static Optional<String> problem(Path path) {
    return SafeFiles.problem(path);
  }
}
