package dev.guesthook.hooks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.guesthook.testkit.Hooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The artifact carries every stock hook, byte for byte: a hook author's test with {@code
 * Hooks.stock()} runs the hooks the package installs.
 */
class StockArtifactTest {
  @Test
  void hooksStockHoldsEveryFileOfTheStockFolder() throws IOException {
    Path shipped = Path.of("stock");
    List<String> names = names(shipped);
    assertEquals(names, names(Hooks.stock()));
    for (String name : names) {
      assertEquals(
          Files.readString(shipped.resolve(name)),
          Files.readString(Hooks.stock().resolve(name)),
          name);
    }
  }

  private static List<String> names(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
