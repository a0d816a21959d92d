package dev.guesthook.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * examples/ is the project the README tells a hook author to copy: it must name the guesthook
 * version this checkout installs, and the README's "Write and test your own hooks" must show its
 * files as they are, so the copy a new user makes is the one CI builds.
 */
class OutsiderProjectTest {
  static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();
  static final Path EXAMPLES = CHECKOUT.resolve("examples");
  static final String SECTION = "## Write and test your own hooks";

  @Test
  void examplesBuildAgainstTheVersionThisCheckoutInstalls() throws IOException {
    assertEquals(
        projectVersion(CHECKOUT.resolve("pom.xml")),
        property(EXAMPLES.resolve("pom.xml"), "guesthook.version"),
        "examples/pom.xml's <guesthook.version> must be the reactor's version, or `./mvnw -f"
            + " examples verify` tests the artifacts of another release");
  }

  @Test
  void theReadmesPomIsExamplesPom() throws IOException {
    showsAsItIs("pom.xml");
  }

  @Test
  void theReadmesHookIsTheExamplesHook() throws IOException {
    showsAsItIs("hooks/cpu-governor.groovy");
  }

  @Test
  void theReadmesTestIsTheExamplesTest() throws IOException {
    showsAsItIs("src/test/java/dev/guesthook/examples/CpuGovernorHookTest.java");
  }

  private static void showsAsItIs(String file) throws IOException {
    String expected = Files.readString(EXAMPLES.resolve(file)).strip();
    List<String> blocks = codeBlocks(section());
    if (blocks.stream().noneMatch(expected::equals)) {
      fail(
          "README.md's \""
              + SECTION.substring(3)
              + "\" has no code block that is examples/"
              + file
              + " as it is; copy the file into it. The closest block differs at:\n"
              + firstDifference(expected, closest(expected, blocks)));
    }
  }

  private static String section() throws IOException {
    String readme = Files.readString(CHECKOUT.resolve("README.md"));
    int start = readme.indexOf("\n" + SECTION + "\n");
    if (start < 0) {
      fail("README.md has no section \"" + SECTION + "\"");
    }
    int end = readme.indexOf("\n## ", start + SECTION.length() + 1);
    return readme.substring(start, end < 0 ? readme.length() : end);
  }

  private static List<String> codeBlocks(String markdown) {
    List<String> blocks = new ArrayList<>();
    Matcher block = Pattern.compile("(?ms)^```[a-z]*\\n(.*?)^```$").matcher(markdown);
    while (block.find()) {
      blocks.add(block.group(1).strip());
    }
    return blocks;
  }

  /** The block sharing the longest first run of lines with the file: the one meant to be it. */
  private static String closest(String expected, List<String> blocks) {
    String best = "";
    int bestShared = -1;
    for (String block : blocks) {
      int shared = sharedLines(expected.split("\n"), block.split("\n"));
      if (shared > bestShared) {
        best = block;
        bestShared = shared;
      }
    }
    return best;
  }

  private static int sharedLines(String[] a, String[] b) {
    int i = 0;
    while (i < a.length && i < b.length && a[i].equals(b[i])) {
      i++;
    }
    return i;
  }

  private static String firstDifference(String expected, String actual) {
    String[] file = expected.split("\n");
    String[] block = actual.split("\n");
    int line = sharedLines(file, block);
    return "  line "
        + (line + 1)
        + " of the file:  "
        + (line < file.length ? file[line] : "(end)")
        + "\n  line "
        + (line + 1)
        + " in README.md: "
        + (line < block.length ? block[line] : "(end)");
  }

  /** The reactor's version: the one its parent pom declares for itself. */
  private static String projectVersion(Path pom) throws IOException {
    return firstMatch(
            pom, "<artifactId>guesthook-parent</artifactId>\\s*<version>([^<]+)</version>")
        .orElseThrow(() -> new AssertionError(pom + " declares no guesthook-parent version"));
  }

  private static String property(Path pom, String name) throws IOException {
    return firstMatch(pom, "<" + Pattern.quote(name) + ">([^<]+)</")
        .orElseThrow(() -> new AssertionError(pom + " has no <" + name + "> property"));
  }

  private static Optional<String> firstMatch(Path file, String regex) throws IOException {
    Matcher match = Pattern.compile(regex).matcher(Files.readString(file));
    return match.find() ? Optional.of(match.group(1)) : Optional.empty();
  }
}
