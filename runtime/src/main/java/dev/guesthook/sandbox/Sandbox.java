package dev.guesthook.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Creating a sandbox directory from a profile, refusing to write into anything that is not empty. */
public final class Sandbox {
  private Sandbox() {}

  public static void create(Path dir, SandboxProfile profile) throws IOException {
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException(dir + " exists and is not a directory");
      }
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException(dir + " is not empty; a sandbox is created in a new or empty directory");
        }
      }
    }
    profile.writeTo(SandboxBuilder.at(dir, profile.id()));
  }
}
