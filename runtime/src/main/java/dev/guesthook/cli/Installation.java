package dev.guesthook.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where guesthook is installed: the launcher passes {@code -Dguesthook.home}; without it, the
 * folder two levels above the runtime jar (a source checkout:
 * runtime/target/guesthook-runtime.jar).
 */
final class Installation {
  private Installation() {}

  static Path home() {
    String property = System.getProperty("guesthook.home");
    if (property != null && !property.isBlank()) {
      return Path.of(property).toAbsolutePath().normalize();
    }
    try {
      Path jar =
          Path.of(Installation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path candidate = jar.getParent().getParent().getParent();
      return candidate != null && Files.isDirectory(candidate.resolve("hooks"))
          ? candidate
          : Path.of(".");
    } catch (URISyntaxException | RuntimeException e) {
      return Path.of(".").toAbsolutePath();
    }
  }

  static Path stockHooks() {
    return home().resolve("hooks").resolve("stock");
  }

  static Path examples() {
    return home().resolve("examples");
  }
}
