package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code guesthook new-hook NAME [--dir DIR]}: the project it writes, what it refuses, and that the
 * hook it writes loads and passes its check. That the project passes its own {@code mvn test} needs
 * the artifacts installed: examples' NewHookProjectTest.
 */
class NewHookCommandTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();
  static final List<String> FILES =
      List.of(
          "pom.xml",
          "hooks/gpu-fan.groovy",
          "src/test/java/org/example/hooks/GpuFanHookTest.java",
          "README.md");

  @TempDir Path base;

  @Test
  void writesTheProjectFilesReadableByAllAndSaysWhatsNext() throws Exception {
    Path project = base.resolve("gpu-fan");
    Cli.Result result = Cli.run(List.of("new-hook", "gpu-fan", "--dir", project.toString()));

    assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
    assertEquals(FILES, filesIn(project));
    for (String file : FILES) {
      assertEquals("rw-r--r--", mode(project.resolve(file)), file);
      assertTrue(result.out().contains("  " + file + "\n"), result.out());
    }
    for (String folder : List.of("", "hooks", "src", "src/test/java/org/example/hooks")) {
      assertEquals("rwxr-xr-x", mode(project.resolve(folder)), folder);
    }
    assertTrue(result.out().contains("next: mvn -f " + project + " test"), result.out());
  }

  @Test
  void anEmptyFolderGetsTheProjectAndNothingIsLeftBesideIt() throws Exception {
    Path project = Files.createDirectory(base.resolve("p"));
    Files.setPosixFilePermissions(project, PosixFilePermissions.fromString("rwxr-x---"));
    Object folder = Files.readAttributes(project, BasicFileAttributes.class).fileKey();
    Cli.Result result = Cli.run(List.of("new-hook", "gpu-fan", "--dir", project.toString()));

    assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
    assertEquals(FILES, filesIn(project));
    assertEquals(List.of("p"), namesIn(base));
    // The same folder, not one put in its place: a shell standing in it (--dir .) sees the project,
    // and the owner and mode the user gave it stay.
    assertEquals(folder, Files.readAttributes(project, BasicFileAttributes.class).fileKey());
    assertEquals("rwxr-x---", mode(project));
  }

  /**
   * Every plugin of the default lifecycle the examples pin, the generated pom pins at the same
   * version: an older Maven (Debian 12's 3.8) falls back to its own defaults otherwise
   * (maven-resources-plugin 2.6), which an offline or mirrored repository may not have.
   */
  @Test
  void theGeneratedPomPinsThePluginsTheExamplesPin() throws Exception {
    Path project = base.resolve("gpu-fan");
    assertEquals(
        ExitCodes.OK,
        Cli.run(List.of("new-hook", "gpu-fan", "--dir", project.toString())).exitCode());

    Map<String, String> generated = pluginVersions(Files.readString(project.resolve("pom.xml")));
    Map<String, String> examples = pluginVersions(Files.readString(Path.of("../examples/pom.xml")));

    assertTrue(!examples.isEmpty(), "no plugins found in examples/pom.xml");
    examples.forEach(
        (plugin, version) ->
            assertEquals(version, generated.get(plugin), plugin + " in " + generated));
  }

  private static Map<String, String> pluginVersions(String pom) {
    Map<String, String> versions = new java.util.TreeMap<>();
    Matcher plugin =
        Pattern.compile(
                "<plugin>\\s*<groupId>[^<]+</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*"
                    + "<version>([^<]+)</version>")
            .matcher(pom);
    while (plugin.find()) {
      versions.put(plugin.group(1), plugin.group(2));
    }
    return versions;
  }

  @Test
  void helpTeachesWithAnExampleAndWhatToDoNext() {
    Cli.Result result = Cli.run(List.of("new-hook", "--help"));

    assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
    assertTrue(result.out().contains("guesthook new-hook gpu-fan --dir"), result.out());
    assertTrue(result.out().contains("mvn test"), result.out());
    assertTrue(result.out().contains("/etc/guesthook/hooks.d"), result.out());
    assertTrue(Cli.run(List.of("--help")).out().contains("new-hook"));
  }

  /**
   * Its help lists only the options it uses: it listed every global one, --dry-run described as
   * "Print the host changes the hooks would make", where new-hook lists the files it would write.
   */
  @Test
  void helpListsOnlyTheOptionsItUses() {
    String help = Cli.run(List.of("new-hook", "--help")).out();

    for (String hostOption :
        List.of("--root", "--simulate", "--hooks", "--config", "--node", "--strict")) {
      assertFalse(help.contains(hostOption), hostOption + " listed:\n" + help);
    }
    assertFalse(help.contains("host changes"), help);
    assertTrue(help.matches("(?s).*--dry-run +List the files it would write.*"), help);
    assertTrue(help.contains("--json"), help);
  }

  @Test
  void aGlobalOptionItDoesNotListIsStillAccepted() {
    Path dir = base.resolve("quiet");
    Cli.Result result =
        Cli.run(List.of("new-hook", "gpu-fan", "--log-level", "warn", "--dir", dir.toString()));

    assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
    assertTrue(Files.isRegularFile(dir.resolve("hooks/gpu-fan.groovy")), result.toString());
  }

  @Test
  void aStockHooksNameIsWrittenWithAWarningThatItReplacesIt() {
    Cli.Result result = Cli.run(List.of("new-hook", "mdev", "--dir", base.resolve("p").toString()));

    assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
    assertTrue(
        result.err().contains("warning: 'mdev' is a stock hook's name: installed beside the stock"),
        result.err());
    assertFalse(
        Cli.run(List.of("new-hook", "gpu-fan", "--dir", base.resolve("q").toString()))
            .err()
            .contains("warning"));
  }

  @Test
  void jsonListsTheFilesWritten() {
    Path project = base.resolve("p");
    Cli.Result result =
        Cli.run(List.of("--json", "new-hook", "gpu-fan", "--dir", project.toString()));

    assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
    JsonNode json = result.json();
    assertEquals(project.toString(), json.get("project").asText());
    List<String> files = new ArrayList<>();
    json.get("files").forEach(file -> files.add(file.asText()));
    assertEquals(FILES, files);
  }

  @Test
  void thePomAsksForThisGuesthooksVersionThroughTheBom() throws Exception {
    Path project = base.resolve("p");
    Cli.run(List.of("new-hook", "gpu-fan", "--dir", project.toString()));
    String pom = Files.readString(project.resolve("pom.xml"));

    assertTrue(
        pom.contains("<guesthook.version>" + runtimeVersion() + "</guesthook.version>"), pom);
    assertTrue(pom.contains("<artifactId>guesthook-bom</artifactId>"), pom);
    assertTrue(pom.contains("<artifactId>gpu-fan</artifactId>"), pom);
  }

  @Test
  void aNameThatIsNotAJavaIdentifierStillGivesAValidTestClass() {
    assertEquals("GpuFanV2HookTest", new HookProject("gpu-fan.v2", "1").testClass());
    assertEquals("Hook9pHookTest", new HookProject("9p", "1").testClass());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../evil", "-x", "a b", "with/slash", ".hidden"})
  void aBadNameIsRefusedAndNothingIsWritten(String name) throws Exception {
    Path project = base.resolve("p");
    Cli.Result result = Cli.run(List.of("new-hook", "--dir", project.toString(), "--", name));

    assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
    assertTrue(result.err().contains("invalid hook name"), result.err());
    assertTrue(result.err().contains("nothing written"), result.err());
    assertEquals(List.of(), filesIn(base));
  }

  @Test
  void aFolderThatIsNotEmptyIsRefusedNamingItAndTheFix() throws Exception {
    Path project = Files.createDirectory(base.resolve("p"));
    Files.writeString(project.resolve("notes.txt"), "mine\n");
    Cli.Result result = Cli.run(List.of("new-hook", "gpu-fan", "--dir", project.toString()));

    assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
    assertTrue(
        result.err().contains(project + " exists and is not empty; fix: name a new or empty"),
        result.err());
    assertEquals(List.of("notes.txt"), filesIn(project));
  }

  @Test
  void aLinkIsNotFollowedEvenToAnEmptyFolder() throws Exception {
    Path elsewhere = Files.createDirectory(base.resolve("elsewhere"));
    Path link = Files.createSymbolicLink(base.resolve("p"), elsewhere);
    Cli.Result result = Cli.run(List.of("new-hook", "gpu-fan", "--dir", link.toString()));

    assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
    assertTrue(result.err().contains(link + " is a symbolic link"), result.err());
    assertTrue(result.err().contains("fix: name the real folder"), result.err());
    assertEquals(List.of(), filesIn(elsewhere));
  }

  /**
   * The folder checked empty becomes a link before the write: the project must not land in the
   * link's target, nor anywhere but DIR.
   */
  @Test
  void aFolderSwappedForALinkAfterTheCheckGetsNothingAndNothingLandsElsewhere() throws Exception {
    Path project = Files.createDirectory(base.resolve("p"));
    Path elsewhere = Files.createDirectory(base.resolve("elsewhere"));
    NewProjectFolder folder = new NewProjectFolder(project);
    assertEquals(Optional.empty(), folder.refusal());
    Files.delete(project);
    Files.createSymbolicLink(project, elsewhere);

    Exception failure =
        assertThrows(Exception.class, () -> folder.write(new HookProject("gpu-fan", "1").files()));
    assertTrue(
        failure.getMessage().contains(project + " is a symbolic link"), failure.getMessage());
    assertTrue(failure.getMessage().endsWith("nothing written"), failure.getMessage());
    assertEquals(List.of(), filesIn(elsewhere));
    assertTrue(Files.isSymbolicLink(project));
    assertEquals(List.of("elsewhere", "p"), namesIn(base), "no private folder left beside it");
  }

  /** Root may write anywhere but in an immutable folder (chattr +i); others not in a 0555 one. */
  @Test
  void aFolderThatCannotBeWrittenInExitsTwoSayingWhyAndTheFix() throws Exception {
    Path parent = Files.createDirectory(base.resolve("locked"));
    makeUnwritable(parent);
    try {
      Cli.Result result =
          Cli.run(List.of("new-hook", "gpu-fan", "--dir", parent.resolve("p").toString()));

      assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
      assertTrue(
          result.err().contains("cannot write in " + parent + ": permission denied; fix:"),
          result.err());
      assertTrue(result.err().contains("nothing written"), result.err());
      assertFalse(result.err().contains("Exception"), result.err());
      assertEquals(List.of(), filesIn(parent));
    } finally {
      new ProcessBuilder("chattr", "-i", parent.toString()).start().waitFor();
      Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwx------"));
    }
  }

  private static void makeUnwritable(Path folder) throws Exception {
    Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
    if (Files.isWritable(folder)) {
      new ProcessBuilder("chattr", "+i", folder.toString()).start().waitFor();
    }
    assumeFalse(Files.isWritable(folder), "no way to make a folder unwritable here");
  }

  @Test
  void aFullOrReadOnlyFileSystemIsSaidInPlainWordsWithTheFix() {
    assertEquals(
        "no space left (No space left on device); fix: free some space, or name a --dir elsewhere",
        NewProjectFolder.plainReason(
            new FileSystemException("/x/p", null, "No space left on device")));
    assertEquals(
        "the file system is read-only; fix: name a --dir on a writable one",
        NewProjectFolder.plainReason(
            new FileSystemException("/x/p", null, "Read-only file system")));
    assertEquals(
        "permission denied; fix: name a --dir in a folder you may write in",
        NewProjectFolder.plainReason(new AccessDeniedException("/x/p")));
  }

  /** The second file cannot be created (its folder is a file): the first is removed again. */
  @Test
  void aWriteFailingHalfWayLeavesNothingBehindAndSaysSo() throws Exception {
    Path project = base.resolve("p");
    NewProjectFolder folder = new NewProjectFolder(project);
    Map<String, String> files = new LinkedHashMap<>();
    files.put("a", "first");
    files.put("a/b", "second");

    NewProjectFolder.WriteFailure failure =
        assertThrows(NewProjectFolder.WriteFailure.class, () -> folder.write(files));
    assertTrue(failure.getMessage().startsWith("cannot write in " + base), failure.getMessage());
    assertTrue(failure.getMessage().endsWith("; nothing written"), failure.getMessage());
    assertEquals(List.of(), namesIn(base));
  }

  /** A run killed while writing leaves only its private folder, which a later run ignores. */
  @Test
  void aPrivateFolderLeftByAKilledRunDoesNotBlockTheNext() throws Exception {
    Path left = Files.createDirectories(base.resolve(".p.new-hook-0123456789ab/hooks"));
    Files.writeString(left.resolve("gpu-fan.groovy"), "partial");
    Path project = base.resolve("p");
    Cli.Result result = Cli.run(List.of("new-hook", "gpu-fan", "--dir", project.toString()));

    assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
    assertEquals(FILES, filesIn(project));
  }

  @Test
  void aDirUnderAFileSaysItIsNotAFolder() throws Exception {
    Path file = Files.writeString(base.resolve("afile"), "x\n");
    Cli.Result result =
        Cli.run(List.of("new-hook", "gpu-fan", "--dir", file.resolve("sub").toString()));

    assertEquals(ExitCodes.USAGE, result.exitCode(), result.toString());
    assertTrue(result.err().contains(file + " is not a folder"), result.err());
    assertFalse(result.err().contains("does not exist"), result.err());
  }

  /** As the shell's mkdir -p L/../zz: ".." after a link goes up from where the link leads. */
  @Test
  void dotDotAfterALinkGoesUpFromTheLinksTargetAsTheShellDoes() throws Exception {
    Path deep = Files.createDirectories(base.resolve("real/deep"));
    Path link = Files.createSymbolicLink(base.resolve("L"), deep);
    Cli.Result result = Cli.run(List.of("new-hook", "gpu-fan", "--dir", link + "/../zz"));

    assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
    assertEquals(FILES, filesIn(base.resolve("real/zz")));
    assertFalse(Files.exists(base.resolve("zz")));
  }

  @Test
  void dryRunListsWhatWouldBeWrittenAndWritesNothing() throws Exception {
    Path project = base.resolve("p");
    Cli.Result result =
        Cli.run(List.of("--dry-run", "new-hook", "gpu-fan", "--dir", project.toString()));

    assertEquals(ExitCodes.OK, result.exitCode(), result.toString());
    assertTrue(result.out().contains("would write"), result.out());
    assertTrue(result.out().contains("0644 pom.xml"), result.out());
    assertTrue(result.out().contains("0755 hooks/"), result.out());
    assertEquals(List.of(), filesIn(base));

    Cli.Result json =
        Cli.run(List.of("--json", "--dry-run", "new-hook", "gpu-fan", "--dir", project.toString()));
    assertEquals(ExitCodes.OK, json.exitCode(), json.toString());
    assertTrue(json.json().get("dryRun").asBoolean(), json.out());
    assertEquals(FILES.size(), json.json().get("files").size(), json.out());
    assertEquals(List.of(), filesIn(base));
  }

  @Test
  void theHookLoadsWithItsSettingsAndItsCheckPasses() throws Exception {
    Path project = base.resolve("p");
    Cli.run(List.of("new-hook", "gpu-fan", "--dir", project.toString()));
    Path root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.GVT_G);
    Files.writeString(root.resolve("etc/pve/guesthook/201.yaml"), "gpu-fan: { cpu: 2 }\n");
    List<String> options = withStockAnd(root, project);

    Cli.Result hooks = Cli.run(concat(options, "hooks", "--settings"));
    assertEquals(ExitCodes.OK, hooks.exitCode(), hooks.toString());
    assertTrue(hooks.out().contains("gpu-fan"), hooks.out());
    assertTrue(hooks.out().contains("restore"), hooks.out());

    Cli.Result check = Cli.run(concat(options, "check", "201"));
    assertEquals(ExitCodes.OK, check.exitCode(), check.toString());
    assertTrue(check.out().contains("cpu2 has a cpufreq governor"), check.out());
  }

  /**
   * Installed to try it, the sample must not touch a VM that did not ask for it: an admin's other
   * guests start as before.
   */
  @Test
  void theSampleHookLeavesAVmWithoutItsSettingsAlone() throws Exception {
    Path project = base.resolve("p");
    Cli.run(List.of("new-hook", "gpu-fan", "--dir", project.toString()));
    Path root = base.resolve("host");
    Sandbox.create(root, SandboxProfile.GVT_G);
    Path governor = root.resolve("sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
    String before = Files.readString(governor);

    Cli.Result start = Cli.run(concat(withStockAnd(root, project), "201", "pre-start"));

    assertEquals(ExitCodes.OK, start.exitCode(), start.toString());
    assertTrue(
        start.out().contains("skipped  gpu-fan: no gpu-fan.cpu set for this VM"), start.out());
    assertEquals(before, Files.readString(governor));
  }

  /** A simulated host at {@code root} with the stock hooks and the project's. */
  private static List<String> withStockAnd(Path root, Path project) {
    return List.of(
        "--root",
        root.toString(),
        "--simulate",
        "--hooks",
        STOCK.toString(),
        "--hooks",
        project.resolve("hooks").toString());
  }

  private static List<String> concat(List<String> options, String... more) {
    List<String> all = new ArrayList<>(options);
    all.addAll(List.of(more));
    return all;
  }

  /** The version this module is built as, from its pom's parent. */
  private static String runtimeVersion() throws Exception {
    Matcher parent =
        Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
            .matcher(Files.readString(Path.of("pom.xml")));
    assertTrue(parent.find());
    return parent.group(1);
  }

  private static List<String> filesIn(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(file -> !Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS))
          .map(file -> dir.relativize(file).toString())
          .sorted((a, b) -> Integer.compare(order(a), order(b)))
          .toList();
    }
  }

  private static List<String> namesIn(Path dir) throws Exception {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(entry -> entry.getFileName().toString()).sorted().toList();
    }
  }

  /** The order new-hook lists its files in; anything else last. */
  private static int order(String file) {
    int known = FILES.indexOf(file);
    return known < 0 ? FILES.size() : known;
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }
}
