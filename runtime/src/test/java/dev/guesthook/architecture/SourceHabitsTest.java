package dev.guesthook.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import dev.guesthook.MayUse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
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

  private static final Path MAIN = REPOSITORY.resolve("runtime/src/main/java");

  /** A package name (lower-case segments) then a class name: {@code java.util.Optional}. */
  private static final Pattern QUALIFIED =
      Pattern.compile(
          "(?<![\\w.])((?:dev\\.guesthook|java|javax|com|org|io)(?:\\.[a-z_]\\w*)+)\\.([A-Z]\\w*)");

  /**
   * Lower-casing "TITLE" under a Turkish locale gives "tıtle": a case change without Locale.ROOT
   * reads differently on another machine. Main code, tests, hooks and examples alike.
   */
  @Test
  void everyCaseChangeNamesItsLocale() {
    Pattern bare = Pattern.compile("\\.to(Lower|Upper)Case\\(\\)|::to(Lower|Upper)Case\\b");
    assertEquals(
        List.of(),
        offendingLines(sources(REPOSITORY, ".java", ".groovy"), bare),
        "case changes without a Locale (write toLowerCase(Locale.ROOT))");
  }

  /**
   * {@code java.util.Optional.of(x)} inline hides what a class uses; the imports are its list. A
   * qualified name stays only where the simple name is taken (imported, or a class of the same
   * package).
   */
  @Test
  void mainCodeImportsWhatItUses() {
    List<String> found = new ArrayList<>();
    for (Path file : sources(MAIN, ".java")) {
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = QUALIFIED.matcher(code(lines.get(i)));
        while (m.find()) {
          if (!nameTaken(file, lines, m.group(1), m.group(2))) {
            found.add(
                REPOSITORY.relativize(file) + ":" + (i + 1) + ": " + m.group(1) + "." + m.group(2));
          }
        }
      }
    }
    assertEquals(List.of(), found, "qualified names inline in main code (import them)");
  }

  /**
   * An import is a use even when the class file drops it (an unused one, a constant the compiler
   * inlines), so the imports are checked against each package's {@link MayUse} list as well.
   */
  @Test
  void mainCodeImportsOnlyWhatItsPackageMayUse() {
    Pattern projectImport =
        Pattern.compile("^import (?:static )?(dev\\.guesthook\\.[a-z.]+?)\\.[A-Z]");
    List<String> found = new ArrayList<>();
    for (Path file : sources(MAIN, ".java")) {
      String pkg =
          MainClasses.PROJECT
              + "."
              + MAIN.relativize(file.getParent())
                  .toString()
                  .replace("dev/guesthook/", "")
                  .replace('/', '.');
      List<String> lines = lines(file);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = projectImport.matcher(lines.get(i));
        if (m.find() && !mayUse(pkg, m.group(1))) {
          found.add(
              REPOSITORY.relativize(file)
                  + ":"
                  + (i + 1)
                  + ": "
                  + lines.get(i)
                  + " ("
                  + pkg
                  + " may use "
                  + Arrays.toString(mayUseList(pkg))
                  + ")");
        }
      }
    }
    assertEquals(List.of(), found, "imports that the package's @MayUse does not name");
  }

  /**
   * A list names only what its package uses (in its class files): a name left over after a move
   * would let the next import through unnoticed (the core once listed pve and devices after it
   * stopped using them).
   */
  @Test
  void mayUseListsNameOnlyWhatThePackageUses() {
    Map<String, Set<String>> used = new TreeMap<>();
    for (JavaClass type : MainClasses.all()) {
      Set<String> uses = used.computeIfAbsent(type.getPackageName(), key -> new TreeSet<>());
      type.getDirectDependenciesFromSelf().stream()
          .map(dependency -> dependency.getTargetClass().getPackageName())
          .filter(target -> target.startsWith(MainClasses.PROJECT + "."))
          .forEach(uses::add);
    }
    // Constants are inlined into class files, so an import counts as a use too.
    Pattern projectImport =
        Pattern.compile("^import (?:static )?(dev\\.guesthook\\.[a-z.]+?)\\.[A-Z]");
    for (Path file : sources(MAIN, ".java")) {
      String pkg =
          MainClasses.PROJECT
              + "."
              + MAIN.relativize(file.getParent())
                  .toString()
                  .replace("dev/guesthook/", "")
                  .replace('/', '.');
      for (String line : lines(file)) {
        Matcher m = projectImport.matcher(line);
        if (m.find()) {
          used.computeIfAbsent(pkg, key -> new TreeSet<>()).add(m.group(1));
        }
      }
    }
    List<String> stale = new ArrayList<>();
    used.forEach(
        (pkg, uses) ->
            Arrays.stream(mayUseList(pkg))
                .filter(name -> !uses.contains(MainClasses.project(name)))
                .forEach(
                    name -> stale.add(pkg + " lists \"" + name + "\" but uses nothing of it")));
    assertEquals(List.of(), stale, "@MayUse names a package it does not use; take it off the list");
  }

  private static boolean mayUse(String pkg, String used) {
    return used.equals(pkg)
        || used.equals(MainClasses.PROJECT)
        || Arrays.stream(mayUseList(pkg)).map(MainClasses::project).anyMatch(used::equals);
  }

  private static String[] mayUseList(String pkg) {
    try {
      MayUse list = Class.forName(pkg + ".package-info").getAnnotation(MayUse.class);
      return list == null ? new String[0] : list.value();
    } catch (ClassNotFoundException e) {
      return new String[0];
    }
  }

  /**
   * A qualified name is needed where the file imports another class of that simple name, or its
   * package has one.
   */
  private static boolean nameTaken(
      Path file, List<String> lines, String qualifier, String simpleName) {
    String sameImport = "import " + qualifier + "." + simpleName + ";";
    boolean importedElsewhere =
        lines.stream()
            .anyMatch(
                l -> l.matches("import [\\w.]+\\." + simpleName + ";") && !l.equals(sameImport));
    return importedElsewhere || Files.exists(file.resolveSibling(simpleName + ".java"));
  }

  /** A line's code: comment lines and string literals left out. */
  private static String code(String line) {
    String t = line.strip();
    if (t.startsWith("import ")
        || t.startsWith("package ")
        || t.startsWith("*")
        || t.startsWith("/*")
        || t.startsWith("//")) {
      return "";
    }
    return line.replaceAll("\"(?:\\\\.|[^\"\\\\])*\"", "\"\"");
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
