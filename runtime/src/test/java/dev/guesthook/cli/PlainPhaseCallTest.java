package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Mixin;

/**
 * {@code <vmid> <phase>} without options skips picocli: the same fields, output, exit code and
 * errors as through picocli, and none of picocli's classes loaded.
 */
class PlainPhaseCallTest {
  @TempDir Path base;
  HostTree host;
  Map<String, String> environment;

  @BeforeEach
  void hostWithOneVmAndAHook() {
    host = HostTree.create(base);
    host.vm(101, "memory: 2048\nname: vm101\n");
    host.file("sys/touched", "no\n");
    host.hook(
        "toucher.groovy",
        "hook('toucher') { on('pre-start') { log.info 'touching'; write '/sys/touched', 'yes' } }\n");
    environment =
        Map.of(
            "GUESTHOOK_ROOT", host.root().toString(),
            "GUESTHOOK_HOOK_DIRS", host.hooks().toString());
  }

  @ParameterizedTest
  @CsvSource({"101,pre-start", "999999999,post-stop", "0,pre-start", "0101,pre-stop"})
  void setsEveryFieldOfMainAndItsMixinsAsPicocliDoes(String vmid, String phase) throws Exception {
    String[] args = {vmid, phase};
    assertTrue(Main.isPlainPhaseCall(args));
    Main plain = newMain(Console.system());
    plain.takePositionals(args);
    Main parsed = newMain(plain.console);
    Main.commandLine(parsed, args).parseArgs(args);

    List<String> compared = new ArrayList<>();
    assertSameFields(parsed, plain, "Main", compared);
    assertTrue(compared.size() > 12, "every option was compared: " + compared);
  }

  /**
   * Every instance field, into {@code @Mixin} and {@code @ArgGroup} objects: an option added later
   * with a default picocli applies fails here instead of differing silently.
   */
  private static void assertSameFields(
      Object expected, Object actual, String path, List<String> compared) throws Exception {
    for (Field field : expected.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
        continue;
      }
      field.setAccessible(true);
      String name = path + "." + field.getName();
      Object want = field.get(expected);
      Object got = field.get(actual);
      if (field.isAnnotationPresent(Mixin.class) || field.isAnnotationPresent(ArgGroup.class)) {
        assertEquals(want == null, got == null, name);
        if (want != null) {
          assertSameFields(want, got, name, compared);
        }
      } else {
        assertEquals(want, got, name);
        compared.add(name);
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
    "101,pre-start",
    "101,post-stop",
    "102,pre-start", // no such guest
    "0,pre-start",
    "99,pre-start",
    "1000000000,pre-start",
    "0101,pre-start",
    "abc,pre-start", // not plain: through picocli either way
    "101,pre-strat"
  })
  void printsAndExitsAsThroughPicocli(String vmid, String phase) {
    String[] args = {vmid, phase};
    Cli.Result throughPicocli = throughPicocli(args);
    host.file("sys/touched", "no\n");
    Cli.Result plain = Cli.run(environment, List.of(args));
    assertEquals(normalized(throughPicocli), normalized(plain));
  }

  @Test
  void onlyDigitsAndAKnownPhaseAndNothingElseArePlain() {
    assertTrue(Main.isPlainPhaseCall(new String[] {"101", "post-start"}));
    assertFalse(Main.isPlainPhaseCall(new String[] {"abc", "pre-start"}));
    assertFalse(Main.isPlainPhaseCall(new String[] {"101", "pre-strat"}));
    assertFalse(Main.isPlainPhaseCall(new String[] {"--dry-run", "101", "pre-start"}));
    assertFalse(Main.isPlainPhaseCall(new String[] {"hooks", "pre-start"}));
    assertFalse(Main.isPlainPhaseCall(new String[] {"101"}));
  }

  @Test
  void aPlainPhaseCallLoadsNoPicocliClass() throws Exception {
    Path classes = base.resolve("classes.log");
    Path output = base.resolve("output");
    ProcessBuilder child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:off",
                "-Xlog:class+load:file=" + classes,
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "101",
                "pre-start")
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    child.environment().putAll(environment);
    Process java = child.start();
    assertTrue(java.waitFor(60, TimeUnit.SECONDS), "the phase ended");
    String printed = Files.readString(output);
    assertEquals(0, java.exitValue(), printed);
    assertEquals("yes", host.read("sys/touched").strip(), printed);
    List<String> loaded = Files.readAllLines(classes);
    assertTrue(loaded.stream().anyMatch(line -> line.contains(" dev.guesthook.engine.")), printed);
    assertEquals(
        List.of(), loaded.stream().filter(line -> line.contains(" picocli.")).toList(), printed);
  }

  private Cli.Result throughPicocli(String[] args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Main main =
        newMain(
            new Console(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
    main.environment = environment;
    int code = Main.commandLine(main, args).execute(args);
    return new Cli.Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Main newMain(Console console) {
    Main main = new Main();
    main.console = console;
    return main;
  }

  /** A hook's run time, the one thing two runs of a phase print differently. */
  private static String normalized(Cli.Result result) {
    return result.toString().replaceAll("\\(\\d+ ms\\)", "(N ms)");
  }
}
