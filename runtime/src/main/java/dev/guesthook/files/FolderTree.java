package dev.guesthook.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A folder and everything in it, removed deepest first. */
public final class FolderTree {
  private FolderTree() {}

  /**
   * Removes {@code top} and all it holds; nothing when it is absent. A link inside is removed,
   * never followed ({@link Files#walk} does not follow links), so a device's driver link never
   * takes the driver with it, and a link planted in a temporary folder never takes what it names.
   */
  public static void remove(Path top) throws IOException {
    if (!Files.exists(top, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(top)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
