package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.core.hookhost.HookSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook new-hook NAME [--dir DIR]}: a hook author's project, ready for mvn test. */
@Command(
    name = "new-hook",
    header = "Start a hook of your own: a project with the hook, its test and a pom.",
    mixinStandardHelpOptions = true,
    description = {
      "Writes a Maven project for the hook NAME into DIR (default ./NAME, new or empty):",
      "  pom.xml                    imports this guesthook's BOM; tests with guesthook-testkit",
      "  hooks/NAME.groovy          a small working hook: settings, check, pre-start with undo, post-stop",
      "  src/test/java/.../*Test    its lifecycle on a simulated node, and a bad setting refused",
      "  README.md                  run the tests, replay a recording, install on a node",
      "Files are 0644, folders 0755; exit 2 if DIR is a link, not empty, or cannot be written.",
      "It is written into a private folder .DIR.new-hook-RANDOM beside DIR, then renamed",
      "to DIR, or moved into DIR if it is an empty folder: a killed run leaves at most that",
      "folder (remove it), never half a project in DIR. With --dry-run it lists what it",
      "would write, and writes nothing.",
      "",
      "Example:",
      "  guesthook new-hook gpu-fan --dir ~/src/gpu-fan",
      "",
      "Then:",
      "  cd ~/src/gpu-fan && mvn test     (needs the guesthook artifacts installed: in a",
      "                                   checkout, ./mvnw install -DskipTests)",
      "  edit hooks/gpu-fan.groovy and its test; install it on a node in /etc/guesthook/hooks.d"
    })
final class NewHookCommand implements Callable<Integer> {
  /**
   * The global options it reads, and what --dry-run means for it; the others (the host's root, the
   * hook folders, the node...) are still accepted, as by every command, but not listed in its help.
   */
  private static final Map<String, String> OPTIONS_IT_USES =
      Map.of(
          "--dry-run", "List the files it would write, and write nothing.",
          "--json", "");

  @ParentCommand Main main;

  /**
   * Once its global options are inherited: its help lists only those it uses ({@link
   * #OPTIONS_IT_USES}).
   */
  static void listOnlyTheOptionsItUses(CommandLine newHook) {
    CommandSpec spec = newHook.getCommandSpec();
    for (OptionSpec option : List.copyOf(spec.options())) {
      if (!option.inherited()) {
        continue;
      }
      String description = OPTIONS_IT_USES.get(option.longestName());
      OptionSpec.Builder listed = option.toBuilder().hidden(description == null);
      if (description != null && !description.isEmpty()) {
        listed.description(description);
      }
      spec.remove(option);
      spec.addOption(listed.build());
    }
  }

  @Parameters(
      paramLabel = "NAME",
      description = "The hook's name: letters, digits, '.', '_' and '-', at most 64.")
  String name;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "Where to write the project (default: ./NAME).")
  Path dir;

  @Override
  public Integer call() {
    Console console = main.console;
    try {
      HookSpec.requireValidName(name);
    } catch (IllegalArgumentException e) {
      console.error(e.getMessage() + "; nothing written");
      return ExitCodes.USAGE;
    }
    warnIfStock(console);
    NewProjectFolder folder = new NewProjectFolder(dir == null ? Path.of(name) : dir);
    Optional<String> refusal = folder.refusal();
    if (refusal.isPresent()) {
      console.error(refusal.get() + "; nothing written");
      return ExitCodes.USAGE;
    }
    Map<String, String> files = new HookProject(name, Version.build().version()).files();
    if (main.options.dryRun) {
      reportDryRun(console, folder.dir(), files);
      return ExitCodes.OK;
    }
    try {
      folder.write(files);
    } catch (NewProjectFolder.WriteFailure e) {
      console.error(e.getMessage());
      return ExitCodes.USAGE;
    }
    report(console, folder.dir(), files);
    return ExitCodes.OK;
  }

  /**
   * A hook file of a stock hook's name replaces it wherever both are installed: meant when forking
   * it, a surprise otherwise.
   */
  private void warnIfStock(Console console) {
    Path stock = Installation.stockHooks().resolve(name + ".groovy");
    if (Files.exists(stock)) {
      console.warn(
          "'"
              + name
              + "' is a stock hook's name: installed beside the stock hooks, this hook replaces "
              + stock
              + "; choose another name unless that is what you want");
    }
  }

  /** Under --dry-run: each folder and file that would be written, with its mode. */
  private void reportDryRun(Console console, Path project, Map<String, String> files) {
    if (main.options.json) {
      console
          .out()
          .println(
              projectJson(project, files)
                  .put("dryRun", true)
                  .put("fileMode", "0644")
                  .put("folderMode", "0755")
                  .encode());
      return;
    }
    console.out().println("would write hook project " + name + " in " + project + ":");
    console.out().println("  0755 ./");
    Set<String> folders = new TreeSet<>();
    for (String file : files.keySet()) {
      foldersOf(file).stream()
          .filter(folders::add)
          .forEach(folder -> console.out().println("  0755 " + folder));
      console.out().println("  0644 " + file);
    }
    console.out().println("nothing written (--dry-run)");
  }

  /** What --json says of the project, written or not. */
  private JsonObject projectJson(Path project, Map<String, String> files) {
    return new JsonObject()
        .put("hook", name)
        .put("project", project.toString())
        .put("files", new JsonArray(new ArrayList<>(files.keySet())));
  }

  /** "a/b/c.txt" gives "a/", "a/b/": the folders a file needs, outermost first. */
  private static List<String> foldersOf(String file) {
    List<String> folders = new ArrayList<>();
    for (int slash = file.indexOf('/'); slash >= 0; slash = file.indexOf('/', slash + 1)) {
      folders.add(file.substring(0, slash + 1));
    }
    return folders;
  }

  private void report(Console console, Path project, Map<String, String> files) {
    String next = "mvn -f " + project + " test";
    if (main.options.json) {
      console.out().println(projectJson(project, files).put("next", next).encode());
      return;
    }
    console.out().println("hook project " + name + " in " + project + ":");
    files.keySet().forEach(file -> console.out().println("  " + file));
    console.out().println("next: " + next);
    console
        .out()
        .println(
            "  (needs the guesthook artifacts in your Maven repository: in a guesthook checkout,"
                + " ./mvnw install -DskipTests)");
  }
}
