package dev.guesthook.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source checkout's launcher ({@code ./guesthook}), run from a copy of the checkout holding the
 * built runtime, so that its class-data archive is recorded here and not in the real checkout.
 */
class CheckoutLauncherIT {
  @TempDir Path checkout;

  /**
   * An admin trying a one-shot call by hand sets GUESTHOOK_* settings for it; the archive's
   * training pre-start must not take them (they named hooks the training root does not have, so it
   * failed, and every start was slow until the next build).
   */
  @Test
  void theArchiveIsRecordedWhateverGuesthookSettingsTheCallerHasSet() throws Exception {
    Path launcher = copyOfTheCheckout();
    Path brokenHooks = Files.createDirectories(checkout.resolve("elsewhere/hooks"));
    Files.writeString(
        brokenHooks.resolve("writes-elsewhere.groovy"),
        "hook('w') { on('pre-start') { write '/sys/not/here', '1' } }\n");

    Result result =
        run(
            Map.of("GUESTHOOK_HOOK_DIRS", brokenHooks.toString(), "GUESTHOOK_HOOK_TIMEOUT", "1"),
            launcher.toString(),
            "--version");

    assertEquals(0, result.exit(), result.out());
    assertFalse(result.out().contains("could not record"), result.out());
    assertTrue(
        Files.isRegularFile(checkout.resolve("runtime/target/guesthook.jsa")),
        "the archive was recorded:\n" + result.out());
  }

  /**
   * The installed launcher and the checkout's start the JVM with the same flags, for serve and for
   * a hookscript call: what the README measured on a checkout is what a node runs. serve compiles a
   * phase's code early (a node runs too few phases to reach the JVM's default thresholds), and
   * bounds its threads' native memory (two malloc arenas, no cached temporary direct buffers).
   */
  @Test
  void theInstalledLauncherGivesTheJvmTheFlagsTheCheckoutsDoes() throws Exception {
    Path launcher = copyOfTheCheckout();
    Path installed = Path.of(System.getProperty("guesthook.checkout"), "packaging/deb/guesthook");
    Path fakeJava = Files.createDirectories(checkout.resolve("fake-jdk/bin")).resolve("java");
    Files.writeString(
        fakeJava,
        "#!/bin/sh\nprintf 'MALLOC_ARENA_MAX=%s\\n' \"$MALLOC_ARENA_MAX\"\nprintf '%s\\n' \"$@\"\n");
    assertTrue(fakeJava.toFile().setExecutable(true));
    Map<String, String> env =
        Map.of(
            "JAVA_HOME",
            fakeJava.getParent().getParent().toString(),
            "PATH",
            fakeJava.getParent() + ":/usr/bin:/bin",
            "GUESTHOOK_CDS",
            "off");

    for (List<String> call : List.of(List.of("serve"), List.of("101", "pre-start"))) {
      List<String> fromCheckout = jvmFlags(run(env, concat(launcher.toString(), call)));
      List<String> fromPackage = jvmFlags(run(env, concat("/bin/sh", installed.toString(), call)));

      assertEquals(fromCheckout, fromPackage, "JVM flags for " + call);
    }
    List<String> serve = jvmFlags(run(env, concat(launcher.toString(), List.of("serve"))));
    assertTrue(serve.contains("-XX:CompileThresholdScaling=0.05"), serve::toString);
    assertTrue(serve.contains("MALLOC_ARENA_MAX=2"), serve::toString);
    assertTrue(serve.contains("-Djdk.nio.maxCachedBufferSize=0"), serve::toString);
    assertTrue(
        jvmFlags(run(env, concat(launcher.toString(), List.of("101", "pre-start"))))
            .contains("MALLOC_ARENA_MAX="),
        "a hookscript call keeps glibc's arenas");
  }

  private static String[] concat(String first, List<String> rest) {
    return concat(first, null, rest);
  }

  private static String[] concat(String first, String second, List<String> rest) {
    List<String> all = new java.util.ArrayList<>(List.of(first));
    if (second != null) {
      all.add(second);
    }
    all.addAll(rest);
    return all.toArray(String[]::new);
  }

  /** The flags the fake java was given before the runtime's own properties and classpath. */
  private static List<String> jvmFlags(Result result) {
    assertEquals(0, result.exit(), result.out());
    List<String> flags = new java.util.ArrayList<>();
    for (String arg : result.out().split("\n")) {
      if (arg.startsWith("-Dguesthook.home=")) {
        return flags;
      }
      flags.add(arg);
    }
    throw new AssertionError("no -Dguesthook.home in the JVM's arguments:\n" + result.out());
  }

  /**
   * guesthook, the stock hooks, the built runtime jar and its lib/ folder: a checkout after its
   * build.
   */
  private Path copyOfTheCheckout() throws IOException {
    Path source = Path.of(System.getProperty("guesthook.checkout"));
    Path target = Files.createDirectories(checkout.resolve("runtime/target"));
    Path built = source.resolve("runtime/target");
    Files.copy(built.resolve("guesthook-runtime.jar"), target.resolve("guesthook-runtime.jar"));
    Files.createSymbolicLink(target.resolve("lib"), built.resolve("lib"));
    Files.createDirectories(checkout.resolve("hooks"));
    copyFolder(source.resolve("hooks/stock"), checkout.resolve("hooks/stock"));
    Path launcher = checkout.resolve("guesthook");
    Files.copy(source.resolve("guesthook"), launcher);
    assertTrue(launcher.toFile().setExecutable(true));
    return launcher;
  }

  private static void copyFolder(Path from, Path to) throws IOException {
    try (var files = Files.walk(from)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.copy(file, to.resolve(from.relativize(file).toString()));
      }
    }
  }

  record Result(int exit, String out) {}

  private static Result run(Map<String, String> env, String... argv)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(List.of(argv)).redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith("GUESTHOOK_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(120, TimeUnit.SECONDS));
    return new Result(process.exitValue(), out);
  }
}
