package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.config.Settings;
import dev.guesthook.demo.Demo;
import dev.guesthook.engine.ReplaySession;
import dev.guesthook.record.RecordedEvent;
import dev.guesthook.record.RecordingException;
import dev.guesthook.record.Replay;
import dev.guesthook.record.Replayer;
import dev.guesthook.yaml.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook replay FILE...}: run recorded events through the current hooks and compare. */
@Command(
    name = "replay",
    header = "Replay recordings through the current hooks and show what differs.",
    mixinStandardHelpOptions = true,
    description = {
      "Replay recorded lifecycle events through the current hooks (--hooks DIR to try others): each hook",
      "gets the settings and the host answers it had when the event was recorded; what it does now is",
      "compared with what it did then, interaction by interaction. Prints agreement or a diff per event",
      "('-' recorded, '+' now). A bad record (torn, not UTF-8, over 16 MiB, bad vmid, phase or time) is",
      "warned about with file:line and skipped; the others are still replayed. A hook the recording does",
      "not name (added after it was made) has nothing recorded to answer it: it is named once and left out.",
      "Exit 0 when every replayed event agrees, 1 when any differs, 2 on unreadable files or when records",
      "were skipped and none could be replayed.",
      "--update rewrites the recording with what the hooks do now, after an intended change; a file with",
      "skipped records is left as it was. Its exit code still says what this run found (1: something",
      "differed, and is now the expectation): replay the file again to check it agrees (exit 0).",
      "Compiled hooks are kept in the user's cache ($XDG_CACHE_HOME or ~/.cache), or the --root tree's:",
      "never in /var."
    })
final class ReplayCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Parameters(paramLabel = "FILE", arity = "1..*", description = "Recordings (.jsonl) to replay.")
  List<Path> files;

  @Option(names = "--update", description = "Make what the hooks do now the new expectation.")
  boolean update;

  @Override
  public Integer call() {
    return main.withSettings(
        (vertx, loaded) ->
            vertx.executeBlocking(
                () -> {
                  List<Path> recordings = distinct(files, loaded.recordingDir());
                  Settings settings = loaded.withCacheDir(cacheDirectory(loaded, main.environment));
                  ReplayJson json = main.options.json ? new ReplayJson(main.console.out()) : null;
                  // A replay answers from the recording: it needs the hooks and their settings,
                  // never this node's host.
                  Replayer replayer =
                      new Replayer(() -> new ReplaySession(vertx, settings), main.console::warn);
                  Replayer.Summary total;
                  try {
                    total =
                        replayer.replay(recordings, update, comparison -> print(comparison, json));
                  } catch (RecordingException e) {
                    throw failed(json, new ConfigException(e.getMessage()));
                  } catch (Exception e) {
                    throw failed(json, e);
                  }
                  printSummary(total, json);
                  return exitCode(total);
                },
                false));
  }

  /**
   * The recordings to replay, each file once however it was named: two replays of one file at once
   * would both write its update and tear it.
   */
  private List<Path> distinct(List<Path> given, Path recordingDir)
      throws ConfigException, IOException {
    Map<Path, Path> byRealPath = new HashMap<>();
    List<Path> recordings = new ArrayList<>();
    for (Path file : given) {
      Path recording = found(file, recordingDir);
      Path first = byRealPath.putIfAbsent(recording.toRealPath(), recording);
      if (first == null) {
        recordings.add(recording);
      } else {
        main.console.warn(recording + ": the same file as " + first + ", replayed once");
      }
    }
    return recordings;
  }

  /**
   * The recording as given, or, for a bare file name not found here, the one of that name in the
   * root's recording folder (as {@code events} and the README name them).
   */
  static Path found(Path file, Path recordingDir) throws ConfigException {
    if (Files.isRegularFile(file)) {
      return file;
    }
    Path recorded = recordingDir.resolve(file.toString());
    if (file.getParent() == null && Files.isRegularFile(recorded)) {
      return recorded;
    }
    throw new ConfigException(
        "no recording "
            + file
            + " (looked for "
            + file.toAbsolutePath()
            + (file.getParent() == null ? " and " + recorded : "")
            + ")");
  }

  /**
   * A difference is what a replay is for; skipped records alone only fail it when nothing was left
   * to compare.
   */
  static int exitCode(Replayer.Summary total) {
    if (total.differ() > 0) {
      return ExitCodes.HOOK_FAILED;
    }
    return total.events() == 0 && total.skipped() > 0 ? ExitCodes.USAGE : ExitCodes.OK;
  }

  /**
   * Where a replay keeps its compiled hooks. A replay changes nothing on the host: on the real root
   * its cache is the user's (as the demo's), never /var/cache; under a --root tree, that tree's
   * own.
   */
  static Path cacheDirectory(Settings settings, Map<String, String> environment) {
    if (!settings.root().equals(settings.root().getRoot())) {
      return settings.cacheDir();
    }
    return Demo.cacheDirectory(environment);
  }

  /** The error that stopped the replay, ending the --json document first. */
  private static Exception failed(ReplayJson json, Exception error) {
    if (json != null) {
      json.failed(error instanceof ConfigException ? error.getMessage() : error.toString());
    }
    return error;
  }

  private void print(Replay.Comparison comparison, ReplayJson json) {
    RecordedEvent recorded = comparison.recorded();
    Path file = recorded.file();
    String what = "VM " + recorded.vmid() + " " + recorded.phase() + " " + recorded.time();
    if (json != null) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("file", file.toString());
      item.put("line", recorded.line());
      item.put("vmid", recorded.vmid());
      item.put("phase", recorded.phase());
      item.put("time", recorded.time());
      item.put("agrees", comparison.agrees());
      item.put("differences", comparison.differences());
      item.put("notReplayed", comparison.notReplayed());
      json.result(item);
      return;
    }
    PrintStream out = main.console.out();
    if (comparison.agrees()) {
      int count = comparison.interactions();
      out.println(what + ": agrees (" + count + (count == 1 ? " interaction)" : " interactions)"));
    } else {
      out.println(what + ": DIFFERS (" + file.getFileName() + ":" + recorded.line() + ")");
      comparison.differences().forEach(d -> out.println("    " + d));
    }
  }

  private void printSummary(Replayer.Summary total, ReplayJson json) {
    if (json != null) {
      Map<String, Object> totals = new LinkedHashMap<>();
      totals.put("events", total.events());
      totals.put("agree", total.agree());
      totals.put("differ", total.differ());
      totals.put("skipped", total.skipped());
      totals.put("updated", update);
      totals.put("leftAsTheyWere", total.leftAsTheyWere());
      json.finish(totals);
    } else {
      main.console
          .out()
          .println(
              "replay: "
                  + total.events()
                  + " events, "
                  + total.agree()
                  + " agree, "
                  + total.differ()
                  + " differ"
                  + (total.skipped() > 0
                      ? ", "
                          + total.skipped()
                          + (total.skipped() == 1 ? " bad record" : " bad records")
                          + " skipped (see the warnings)"
                      : "")
                  + (update ? updateNote(total) : ""));
    }
  }

  private static String updateNote(Replayer.Summary total) {
    int left = total.leftAsTheyWere();
    return left > 0
        ? "; "
            + left
            + (left == 1 ? " recording left as it was" : " recordings left as they were")
            + " (see the warnings), the others updated to what the hooks do now"
        : "; recordings updated to what the hooks do now";
  }
}
