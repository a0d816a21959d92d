package dev.guesthook.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * House habits that live in the source text, where class files cannot show them: each test names
 * every offending line (file:line) so the fix is one look away.
 */
class SourceHabitsTest {
  /** The repository: tests run in runtime/. */
  private static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();

  /**
   * Lower-casing "TITLE" under a Turkish locale gives "tıtle": a case change without
   * Locale.ROOT reads differently on another machine. Main code, tests, hooks and examples alike.
   */
  @Test
  void everyCaseChangeNamesItsLocale() {
    Pattern bare = Pattern.compile("\\.to(Lower|Upper)Case\\(\\)|::to(Lower|Upper)Case\\b");
    assertEquals(List.of(), offendingLines(sources(REPOSITORY, ".java", ".groovy"), bare),
        "case changes without a Locale (write toLowerCase(Locale.ROOT))");
  }

  /** The lines of {@code files} that {@code pattern} finds, as file:line: text. */
  static List<String> offendingLines(List<Path> files, Pattern pattern) {
    List<String> found = new ArrayList<>();
    for (Path file : files) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = pattern.matcher(lines.get(i));
        if (m.find()) {
          found.add(REPOSITORY.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).strip());
        }
      }
    }
    return found;
  }

  /** Source files under {@code root} ending in one of {@code extensions}, build output left out. */
  static List<Path> sources(Path root, String... extensions) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> Stream.of(extensions).anyMatch(p.toString()::endsWith))
          .filter(p -> !root.relativize(p).toString().matches("(.*/)?(target|\\.[^/]+)/.*"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
