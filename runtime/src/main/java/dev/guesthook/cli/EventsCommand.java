package dev.guesthook.cli;

import dev.guesthook.record.RecordedEvent;
import dev.guesthook.record.RecordingException;
import dev.guesthook.record.RecordingReader;
import dev.guesthook.record.Recordings;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
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
      "--follow keeps printing new events as they are recorded (Ctrl-C to stop)."
    })
final class EventsCommand implements Callable<Integer> {
  private static final long FOLLOW_POLL_MILLIS = 500;

  @ParentCommand Main main;

  @Option(names = "--vmid", paramLabel = "VMID", description = "Only this guest's events.")
  Integer vmid;

  @Option(names = "--follow", description = "Wait for new events and print them as they come.")
  boolean follow;

  @Override
  public Integer call() {
    return main.withSettings((vertx, settings) -> vertx.executeBlocking(() -> {
      Path dir = settings.recordingDir();
      long printed = printFrom(dir, 0);
      while (follow && !Thread.currentThread().isInterrupted()) {
        Thread.sleep(FOLLOW_POLL_MILLIS);
        printed = printFrom(dir, printed);
      }
      return ExitCodes.OK;
    }, false));
  }

  /** Prints the events after the first {@code skip} ones (in file and line order); returns how many there are. */
  private long printFrom(Path dir, long skip) throws IOException {
    long seen = 0;
    for (Path file : Recordings.files(dir)) {
      try (RecordingReader reader = new RecordingReader(file, main.console::warn)) {
        while (reader.hasNext()) {
          RecordedEvent event = reader.next();
          if (vmid == null || event.vmid() == vmid) {
            if (seen++ >= skip) {
              print(event);
            }
          }
        }
      } catch (RecordingException e) {
        main.console.warn(e.getMessage());
      }
    }
    return seen;
  }

  private void print(RecordedEvent event) {
    PrintStream out = main.console.out();
    out.println(main.options.json ? event.doc().toString() : event.summary());
    out.flush();
  }
}
