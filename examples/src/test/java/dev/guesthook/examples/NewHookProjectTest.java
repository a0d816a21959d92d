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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code guesthook new-hook} promises a hook author: the project it writes passes its own
 * {@code mvn test} against the installed artifacts, and a one-line change to the hook fails it with
 * a message that says what differs. Runs the Maven of this build, offline, on its local repository
 * (surefire passes maven.home and maven.repo.local; examples/pom.xml).
 */
class NewHookProjectTest {
  @TempDir Path base;

  @Test
  void theGeneratedProjectPassesItsTestsAndAOneLineBreakFailsThemReadably() throws Exception {
    String mavenHome = System.getProperty("maven.home");
    assumeTrue(
        mavenHome != null && !mavenHome.isBlank(),
        "needs the Maven running this build: run it with mvn, or set -Dmaven.home");
    Path project = base.resolve("gpu-fan");
    Build written = newHook("gpu-fan", project);
    assertEquals(0, written.exitCode(), written.output());

    Build passing = mvnTest(Path.of(mavenHome), project);
    assertEquals(0, passing.exitCode(), passing.output());
    assertTrue(passing.output().contains("Tests run: 2, Failures: 0"), passing.output());

    Path hook = project.resolve("hooks/gpu-fan.groovy");
    String text = Files.readString(hook);
    String broken = text.replace("write file, settings.governor", "write file, 'ondemand'");
    assertNotEquals(text, broken, "the hook no longer has the line this test breaks");
    Files.writeString(hook, broken);

    Build failing = mvnTest(Path.of(mavenHome), project);
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

  private static Build mvnTest(Path mavenHome, Path project)
      throws IOException, InterruptedException {
    Path log = project.resolveSibling(project.getFileName() + "-mvn.log");
    ProcessBuilder mvn =
        new ProcessBuilder(
                List.of(
                    mavenHome.resolve("bin/mvn").toString(),
                    "-o",
                    "-B",
                    "-f",
                    project.resolve("pom.xml").toString(),
                    "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"),
                    "test"))
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
