package dev.guesthook.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.guesthook.cli.Console;
import dev.guesthook.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code guesthook new-hook} promises a hook author: the project it writes passes its own
 * {@code mvn test} against the installed artifacts, and a one-line change to the hook fails it with
 * a message that says what differs. Runs Maven offline on this build's local repository: the
 * Maven named by {@code -Dmaven.home}, else the checkout's {@code mvnw} (examples/ lives in it), with
 * {@code -Dmaven.repo.local} when this build was given one (surefire hands a build's -D properties
 * to the tests). examples/pom.xml stays the pom the README shows a hook author.
 */
class NewHookProjectTest {
  @TempDir Path base;

  @Test
  void theGeneratedProjectPassesItsTestsAndAOneLineBreakFailsThemReadably() throws Exception {
    Path maven = maven();
    assumeTrue(
        Files.isExecutable(maven),
        "needs Maven: run it from the checkout (its mvnw), or set -Dmaven.home");
    Path project = base.resolve("gpu-fan");
    Build written = newHook("gpu-fan", project);
    assertEquals(0, written.exitCode(), written.output());

    Build passing = mvnTest(maven, project);
    assertEquals(0, passing.exitCode(), passing.output());
    assertTrue(passing.output().contains("Tests run: 2, Failures: 0"), passing.output());

    Path hook = project.resolve("hooks/gpu-fan.groovy");
    String text = Files.readString(hook);
    String broken = text.replace("write file, settings.governor", "write file, 'ondemand'");
    assertNotEquals(text, broken, "the hook no longer has the line this test breaks");
    Files.writeString(hook, broken);

    Build failing = mvnTest(maven, project);
    assertNotEquals(0, failing.exitCode(), failing.output());
    assertTrue(
        failing.output().contains("scaling_governor holds \"ondemand\", expected \"performance\""),
        failing.output());
  }

  /** guesthook new-hook in this JVM: the runtime is on the test classpath through the kit. */
  private static Build newHook(String name, Path dir) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
    int exitCode =
        Main.run(
            new String[] {"new-hook", name, "--dir", dir.toString()},
            new Console(print, print),
            Map.of());
    return new Build(exitCode, out.toString(StandardCharsets.UTF_8));
  }

  private record Build(int exitCode, String output) {}

  private static Path maven() {
    String home = System.getProperty("maven.home");
    return home == null || home.isBlank()
        ? Path.of("..", "mvnw").toAbsolutePath().normalize()
        : Path.of(home, "bin", "mvn");
  }

  private static Build mvnTest(Path maven, Path project) throws IOException, InterruptedException {
    Path log = project.resolveSibling(project.getFileName() + "-mvn.log");
    List<String> command =
        new ArrayList<>(
            List.of(maven.toString(), "-o", "-B", "-f", project.resolve("pom.xml").toString()));
    String repository = System.getProperty("maven.repo.local");
    if (repository != null && !repository.isBlank()) {
      command.add("-Dmaven.repo.local=" + repository);
    }
    command.add("test");
    ProcessBuilder mvn =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    mvn.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process process = mvn.start();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("mvn test of the generated project took over 5 minutes");
    }
    return new Build(process.exitValue(), Files.readString(log));
  }
}
