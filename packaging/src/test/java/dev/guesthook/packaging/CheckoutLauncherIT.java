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
