package dev.guesthook.sandbox;

import dev.guesthook.files.SafeFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Creating a sandbox directory from a profile, refusing to write into anything that is not empty.
 */
public final class Sandbox {
  private Sandbox() {}

  public static void create(Path dir, SandboxProfile profile) throws IOException {
    requireNewOrEmpty(dir);
    profile.writeTo(SandboxBuilder.at(dir, profile.id()));
  }

  /** Refuses a {@code dir} that is not absent or an empty folder of root's own. */
  static void requireNewOrEmpty(Path dir) throws IOException {
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new IllegalArgumentException(
            dir
                + " exists and is not a directory"
                + (Files.isSymbolicLink(dir) ? " (a symbolic link)" : ""));
      }
      refuseForeign(dir);
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(
              dir + " is not empty; a sandbox is created in a new or empty directory");
        }
      }
    }
  }

  /**
   * The runtime acts on a sandbox as root: a folder another user owns or may write in is one where
   * that user could plant links for root to follow.
   */
  private static void refuseForeign(Path dir) throws IOException {
    Optional<String> problem = SafeFiles.ownedProblem(dir);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(
          "refusing to create a sandbox in " + dir + ": " + problem.get());
    }
  }
}
