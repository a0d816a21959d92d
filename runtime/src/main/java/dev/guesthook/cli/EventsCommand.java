package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.record.RecordedEvent;
import dev.guesthook.record.RecordingException;
import dev.guesthook.record.RecordingReader;
import dev.guesthook.record.Recordings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code guesthook events}: the recordings as a timeline. */
@Command(
    name = "events",
    header = "The recorded lifecycle events as a timeline.",
    mixinStandardHelpOptions = true,
    description = {
      "Show the recorded lifecycle events (from <root>/var/lib/guesthook/recordings) as a timeline: one",
      "line per phase with its outcome and each hook that acted. --json prints the records themselves.",
      "--follow keeps printing new events as they are recorded (Ctrl-C to stop).",
      "A bad record (torn, not UTF-8, over 16 MiB, bad vmid, phase or time) is warned about once with",
      "file:line and skipped. Exit 0, or 2 when records were skipped and none could be read."
    })
final class EventsCommand implements Callable<Integer> {
  private static final long FOLLOW_POLL_MILLIS = 500;

  @ParentCommand Main main;

  @Option(names = "--vmid", paramLabel = "VMID", description = "Only this guest's events.")
  Integer vmid;

  @Option(names = "--follow", description = "Wait for new events and print them as they come.")
  boolean follow;

  private final Set<String> warned = new HashSet<>();

  @Override
  public Integer call() {
    return main.withSettings(
        (vertx, settings) ->
            vertx.executeBlocking(
                () -> {
                  Path dir = settings.recordingDir();
                  Tally tally = printFrom(dir, 0);
                  while (follow && !Thread.currentThread().isInterrupted()) {
                    Thread.sleep(FOLLOW_POLL_MILLIS);
                    tally = printFrom(dir, tally.matching());
                  }
                  if (tally.skipped() > 0) {
                    main.console.warn(
                        "events: " + tally.skipped() + " bad records skipped (see above)");
                  }
                  return tally.read() == 0 && tally.skipped() > 0 ? ExitCodes.USAGE : ExitCodes.OK;
                },
                false));
  }

  /**
   * How many good records there are, how many of them are this command's, and how many bad ones
   * were skipped.
   */
  private record Tally(long read, long matching, long skipped) {}

  /**
   * Prints the events after the first {@code skip} ones (in file and line order); returns what it
   * counted.
   */
  private Tally printFrom(Path dir, long skip) throws IOException {
    long read = 0;
    long seen = 0;
    long skipped = 0;
    for (Path file : Recordings.files(dir)) {
      try (RecordingReader reader = new RecordingReader(file, this::warnOnce)) {
        while (reader.hasNext()) {
          RecordedEvent event = reader.next();
          read++;
          if (vmid == null || event.vmid() == vmid) {
            if (seen++ >= skip) {
              print(event);
            }
          }
        }
        skipped += reader.skipped();
      } catch (RecordingException e) {
        warnOnce(e.getMessage());
      }
    }
    return new Tally(read, seen, skipped);
  }

  /**
   * --follow reads the files again and again: a bad record is worth one warning, not one per poll.
   */
  private void warnOnce(String warning) {
    if (warned.add(warning)) {
      main.console.warn(warning);
    }
  }

  private void print(RecordedEvent event) {
    PrintStream out = main.console.out();
    out.println(main.options.json ? event.json() : event.summary());
    out.flush();
  }
}
