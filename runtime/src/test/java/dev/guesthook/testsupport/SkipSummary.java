package dev.guesthook.testsupport;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Says at the end of a module's test run which tests did not run, why, and how to make them run:
 * one line per reason, e.g.
 *
 * <pre>
 * guesthook: skipped 9 tests (packaging PackageIT): dpkg-deb is not installed: apt-get install dpkg
 * </pre>
 *
 * Surefire and failsafe count skipped tests but show their reasons only in report files. The reason
 * is the message of the failed assumption (or of {@code @Disabled}), which therefore says what is
 * missing and the command that provides it. Registered for every module whose tests use the
 * runtime's test-jar (META-INF/services).
 */
public final class SkipSummary implements TestExecutionListener {
  private static final String ASSUMPTION_PREFIX = "Assumption failed: ";
  private static final int MAX_REASON = 300;

  private final PrintStream out;
  private final String module;
  private final Map<String, Group> byReason = new LinkedHashMap<>();
  private TestPlan plan;

  /** The tests skipped for one reason, and the classes they are in. */
  private static final class Group {
    long tests;
    final Set<String> classes = new LinkedHashSet<>();
  }

  /** As JUnit's service loader makes it: on stdout, named after the module the tests run in. */
  public SkipSummary() {
    this(System.out, Path.of("").toAbsolutePath().getFileName().toString());
  }

  SkipSummary(PrintStream out, String module) {
    this.out = out;
    this.module = module;
  }

  @Override
  public void testPlanExecutionStarted(TestPlan testPlan) {
    plan = testPlan;
    byReason.clear();
  }

  @Override
  public void executionSkipped(TestIdentifier skipped, String reason) {
    record(skipped, reason);
  }

  @Override
  public void executionFinished(TestIdentifier finished, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      record(
          finished, result.getThrowable().map(Throwable::getMessage).orElse("(no reason given)"));
    }
  }

  @Override
  public void testPlanExecutionFinished(TestPlan testPlan) {
    lines().forEach(out::println);
    out.flush();
  }

  /** One line per reason, in the order the first test of each was skipped. */
  List<String> lines() {
    List<String> lines = new ArrayList<>();
    byReason.forEach(
        (reason, group) ->
            lines.add(
                "guesthook: skipped "
                    + group.tests
                    + (group.tests == 1 ? " test (" : " tests (")
                    + module
                    + " "
                    + String.join(", ", group.classes)
                    + "): "
                    + reason));
    return lines;
  }

  /**
   * A skipped or aborted container (a class whose {@code @BeforeAll} assumption failed) stands for
   * every test in it: JUnit reports none of them.
   */
  private void record(TestIdentifier skipped, String reason) {
    Group group = byReason.computeIfAbsent(withoutPrefix(reason), any -> new Group());
    group.tests += skipped.isTest() ? 1 : Math.max(1, testsUnder(skipped));
    className(skipped).ifPresent(group.classes::add);
  }

  private long testsUnder(TestIdentifier container) {
    return plan.getDescendants(container).stream().filter(TestIdentifier::isTest).count();
  }

  private Optional<String> className(TestIdentifier test) {
    for (Optional<TestIdentifier> at = Optional.of(test);
        at.isPresent();
        at = plan.getParent(at.get())) {
      Optional<String> name = at.get().getSource().flatMap(SkipSummary::simpleClassName);
      if (name.isPresent()) {
        return name;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> simpleClassName(TestSource source) {
    String name;
    if (source instanceof MethodSource method) {
      name = method.getClassName();
    } else if (source instanceof ClassSource type) {
      name = type.getClassName();
    } else {
      return Optional.empty();
    }
    return Optional.of(name.substring(Math.max(name.lastIndexOf('.'), name.lastIndexOf('$')) + 1));
  }

  private static String withoutPrefix(String reason) {
    return oneLine(
        reason.startsWith(ASSUMPTION_PREFIX)
            ? reason.substring(ASSUMPTION_PREFIX.length())
            : reason);
  }

  /**
   * A reason as one bounded line: a message is any text a test chose, and a line break in it would
   * print what looks like another skip line, an escape sequence would recolour the console.
   */
  static String oneLine(String reason) {
    String flat = reason.strip().replaceAll("\\R+", " / ").replaceAll("\\p{Cntrl}", "?");
    return flat.length() <= MAX_REASON ? flat : flat.substring(0, MAX_REASON) + "...";
  }
}
