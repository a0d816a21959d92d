package dev.guesthook.testsupport;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Golden output files, as mdevctl keeps its {@code .expected} files: what a command printed (exit
 * code, stdout, stderr) is compared whole against {@code
 * src/test/resources/golden/<name>.expected}. Only what must vary from run to run is replaced, each
 * by a named placeholder ({@code <ROOT>}, {@code <TIME>}, ...). After a deliberate change of
 * output, regenerate every file with {@code ./mvnw -o -q -pl runtime test -Dtest='*GoldenTest'
 * -Dgolden.update=true} and review the diff.
 */
public final class Golden {
  /** The folder of the golden files, in the source tree so an update lands where git sees it. */
  private static final Path FOLDER = Path.of("src/test/resources/golden");

  private static final boolean UPDATE = Boolean.getBoolean("golden.update");

  /**
   * What varies by run, in the order it is replaced: a later pattern never sees an earlier
   * placeholder's text.
   */
  private static final Map<Pattern, String> VARYING = new LinkedHashMap<>();

  static {
    VARYING.put(
        Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?(?:Z|[+-]\\d\\d:\\d\\d)"),
        "<TIME>");
    VARYING.put(Pattern.compile("\\b\\d+(?:\\.\\d+)? ?ms\\b"), "<DURATION>");
    VARYING.put(Pattern.compile("(\"durationMs\" ?: ?)\\d+"), "$1<DURATION>");
    VARYING.put(Pattern.compile("\\bpid \\d+"), "pid <PID>");
  }

  private final Map<String, String> paths = new LinkedHashMap<>();

  /** Replaces {@code path} (and what it resolves to) by {@code <NAME>} in what is compared. */
  public Golden path(String name, Path path) {
    paths.put(path.toAbsolutePath().normalize().toString(), "<" + name + ">");
    return this;
  }

  /**
   * Compares a command's whole result with its golden file, or writes the file with
   * -Dgolden.update=true.
   */
  public void assertMatches(String name, Cli.Result result) {
    String actual = normalize(result.toString());
    Path file = FOLDER.resolve(name + ".expected");
    try {
      if (UPDATE) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
        return;
      }
      if (!Files.exists(file)) {
        fail(
            file
                + " does not exist; make it with -Dgolden.update=true and review it. The output was:\n"
                + actual);
      }
      String expected = Files.readString(file, StandardCharsets.UTF_8);
      if (!expected.equals(actual)) {
        fail(
            file
                + " differs from the output (- expected, + actual); if the change is meant,"
                + " regenerate with -Dgolden.update=true\n"
                + diff(expected, actual));
      }
    } catch (IOException e) {
      throw new AssertionError(file + ": " + e.getMessage(), e);
    }
  }

  String normalize(String text) {
    String out = text;
    // Longest first, so a path inside another one named is not half replaced.
    List<String> longestFirst = new ArrayList<>(paths.keySet());
    longestFirst.sort((a, b) -> b.length() - a.length());
    for (String path : longestFirst) {
      out = out.replace(path, paths.get(path));
    }
    for (Map.Entry<Pattern, String> varying : VARYING.entrySet()) {
      out = varying.getKey().matcher(out).replaceAll(varying.getValue());
    }
    return out;
  }

  /**
   * A line diff of the two texts: the lines only one of them has, with their line numbers, in
   * order.
   */
  static String diff(String expected, String actual) {
    List<String> a = expected.lines().toList();
    List<String> b = actual.lines().toList();
    int[][] common = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        common[i][j] =
            a.get(i).equals(b.get(j))
                ? common[i + 1][j + 1] + 1
                : Math.max(common[i + 1][j], common[i][j + 1]);
      }
    }
    StringBuilder out = new StringBuilder();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        i++;
        j++;
      } else if (i < a.size() && (j == b.size() || common[i + 1][j] >= common[i][j + 1])) {
        out.append(String.format("-%4d| %s%n", i + 1, a.get(i++)));
      } else {
        out.append(String.format("+%4d| %s%n", j + 1, b.get(j++)));
      }
    }
    return out.toString();
  }
}
