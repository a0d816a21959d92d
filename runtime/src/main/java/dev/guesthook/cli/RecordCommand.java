package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.record.Recorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code guesthook record --on|--off}: turn recording of lifecycle events on or off; without a
 * flag, say which.
 */
@Command(
    name = "record",
    header = "Turn the recording of lifecycle events on or off.",
    mixinStandardHelpOptions = true,
    description = {
      "Turn the recording of lifecycle events on or off (it is on by default). Recordings are",
      "<root>/var/lib/guesthook/recordings/<vmid>-<day>.jsonl; read them with 'guesthook events',",
      "replay them with 'guesthook replay'. Without --on or --off, prints whether recording is on;",
      "with --dry-run, what --on or --off would do, changing nothing."
    })
final class RecordCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @ArgGroup(exclusive = true)
  Switch change;

  static final class Switch {
    @Option(names = "--on", required = true, description = "Record every phase (the default).")
    boolean on;

    @Option(names = "--off", required = true, description = "Stop recording.")
    boolean off;
  }

  @Override
  public Integer call() {
    return main.withSettings(
        (vertx, settings) ->
            vertx.executeBlocking(
                () -> {
                  Path dir = settings.recordingDir();
                  if (change != null && settings.dryRun()) {
                    main.console
                        .out()
                        .println(
                            state(dir)
                                + "; dry run: would turn it "
                                + onOrOff(change.on)
                                + ", nothing is changed");
                    return ExitCodes.OK;
                  }
                  if (change != null) {
                    turn(dir, change.on);
                  }
                  main.console.out().println(state(dir));
                  return ExitCodes.OK;
                },
                false));
  }

  private static void turn(Path dir, boolean on) throws IOException {
    Files.createDirectories(dir);
    Path marker = dir.resolve(Recorder.OFF_MARKER);
    if (on) {
      Files.deleteIfExists(marker);
    } else {
      Files.writeString(marker, "recording turned off by 'guesthook record --off'\n");
    }
  }

  private static String state(Path dir) {
    return "recording is " + onOrOff(Recorder.isOn(dir)) + " (" + dir + ")";
  }

  private static String onOrOff(boolean on) {
    return on ? "on" : "off";
  }
}
