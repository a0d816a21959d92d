package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.config.Settings;
import dev.guesthook.demo.Demo;
import dev.guesthook.demo.ExampleHookSettings;
import dev.guesthook.engine.Engine;
import dev.guesthook.engine.ReplaySession;
import dev.guesthook.files.FolderTree;
import dev.guesthook.record.Recordings;
import dev.guesthook.record.Replayer;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook demo}: the example VMs' lifecycles on a built-in simulated host. */
@Command(
    name = "demo",
    header = "Every example VM's lifecycle on a fresh simulated host, then a replay of it.",
    mixinStandardHelpOptions = true,
    description = {
      "Run the four phases for each example VM against a simulated host (a fresh 'mixed' sandbox",
      "in a temporary directory) with the stock and example hooks, and print the timeline.",
      "Nothing on this machine changes; the sandbox is deleted afterwards."
    })
final class DemoCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @picocli.CommandLine.Option(
      names = "--keep-recordings",
      paramLabel = "DIR",
      description =
          "Copy the recordings the demo made into DIR before its sandbox is deleted"
              + " (examples/recordings/make.sh makes the example recordings this way).")
  Path keepRecordings;

  @Override
  public Integer call() {
    Path examples = Installation.examples();
    Path sandbox;
    try {
      sandbox = Files.createTempDirectory("guesthook-demo-");
      Sandbox.create(sandbox, SandboxProfile.MIXED);
      ExampleHookSettings.addTo(sandbox);
    } catch (IOException e) {
      main.console.error("cannot create the demo sandbox: " + e.getMessage());
      return ExitCodes.INTERNAL;
    }
    try {
      return play(examples, sandbox);
    } finally {
      deleteTree(sandbox);
    }
  }

  private int play(Path examples, Path sandbox) {
    JsonObject flags =
        main.options.asConfigLayer().put("root", sandbox.toString()).put("simulate", true);
    if (!flags.containsKey("hook-dirs")) {
      flags.put(
          "hook-dirs",
          new JsonArray()
              .add(Installation.stockHooks().toString())
              .add(examples.resolve("hooks").toString()));
    }
    PrintStream out = main.console.out();
    return main.withSettings(
        flags,
        (vertx, settings) ->
            new Demo(vertx, withDemoCache(settings))
                .run(new PrintedTimeline(out))
                .compose(
                    failedPhases ->
                        vertx.executeBlocking(
                            () ->
                                replayWhatWasRecorded(vertx, withDemoCache(settings), out)
                                    .map(
                                        replayed -> {
                                          out.println();
                                          out.println(
                                              "guesthook demo: done; "
                                                  + failedPhases
                                                  + " phase(s) had a failing hook"
                                                  + (failedPhases > 0
                                                      ? " (shown above, as the examples intend)"
                                                      : "")
                                                  + "; nothing on this machine was changed but"
                                                  + " the compiled-hook cache in "
                                                  + Demo.cacheDirectory()
                                                  + ".");
                                          return replayed.differ() == 0
                                              ? ExitCodes.OK
                                              : ExitCodes.HOOK_FAILED;
                                        })
                                    .orElse(ExitCodes.INTERNAL),
                            false)));
  }

  /**
   * Every phase above was recorded; replaying the recordings through the same hooks must agree with
   * them.
   */
  private Optional<Replayer.Summary> replayWhatWasRecorded(
      Vertx vertx, Settings settings, PrintStream out) throws Exception {
    Replayer replayer = new Replayer(() -> new ReplaySession(vertx, settings), main.console::warn);
    Replayer.Summary total = new Replayer.Summary(0, 0);
    for (Path file : Recordings.files(settings.recordingDir())) {
      total =
          total.plus(
              replayer.replay(
                  file,
                  false,
                  comparison -> {
                    if (!comparison.agrees()) {
                      out.println(
                          "   replay of VM "
                              + comparison.recorded().vmid()
                              + " "
                              + comparison.recorded().phase()
                              + " differs:");
                      comparison.differences().forEach(d -> out.println("      " + d));
                    }
                  }));
    }
    if (keepRecordings != null) {
      Files.createDirectories(keepRecordings);
      for (Path file : Recordings.files(settings.recordingDir())) {
        Files.copy(
            file, keepRecordings.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    out.println();
    out.println(
        "guesthook demo: replayed the "
            + total.events()
            + " recorded events through the same hooks: "
            + total.agree()
            + " agree"
            + (total.differ() > 0 ? ", " + total.differ() + " DIFFER" : ""));
    return Optional.of(total);
  }

  private static void deleteTree(Path dir) {
    try {
      FolderTree.remove(dir);
    } catch (IOException e) {
      // A leftover temporary directory is harmless.
    }
  }

  /**
   * The demo's root is the example tree, which must stay clean: compiled hooks go to the user's
   * cache.
   */
  private static Settings withDemoCache(Settings s) {
    return s.withCacheDir(Demo.cacheDirectory());
  }

  /** Prints the demo as the Proxmox task log would show each phase. */
  private static final class PrintedTimeline extends PrintedPhase implements Demo.Timeline {
    private final PrintStream out;

    PrintedTimeline(PrintStream out) {
      super(out, false);
      this.out = out;
    }

    @Override
    public void narrate(String line) {
      out.println(line);
    }

    @Override
    public void phaseDone(Engine.Run run) {
      Report.human(run.result(), false, false, out);
    }
  }
}
