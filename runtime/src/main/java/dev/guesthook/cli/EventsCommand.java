package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.page.EventsPage;
import dev.guesthook.record.RecordedEvent;
import dev.guesthook.record.RecordingException;
import dev.guesthook.record.RecordingReader;
import dev.guesthook.record.Recordings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.OptionalInt;
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
      "--html FILE writes one self-contained page instead (no file or script from elsewhere: open it",
      "anywhere, mail it): a timeline per guest (each phase with a red mark when it failed or was rolled",
      "back, its hooks as bars as long as they took, failures, rollback steps, device changes) and the",
      "capacity of each node (every node's published data in a cluster, else this node surveyed now).",
      "The newest "
          + EventsPage.MAX_EVENTS
          + " events are drawn; the page says how many older ones it left out.",
      "",
      "Examples:",
      "  guesthook events                                  every recorded phase, oldest first",
      "  guesthook events --vmid 101 --follow              VM 101's phases as they happen",
      "  guesthook events --html /root/events.html         the page (mode 0600; chmod it to share)",
      "  guesthook events --vmid 101 --html vm101.html     one guest's page",
      "",
      "A bad record (torn, not UTF-8, over 16 MiB, bad vmid, phase or time) is warned about once with",
      "file:line and skipped. Exit 0, or 2 when records were skipped and none could be read, or when",
      "the page cannot be written (its folder is missing, FILE is a folder) or --html meets --follow."
    })
final class EventsCommand implements Callable<Integer> {
  private static final long FOLLOW_POLL_MILLIS = 500;

  @ParentCommand Main main;

  @Option(names = "--vmid", paramLabel = "VMID", description = "Only this guest's events.")
  Integer vmid;

  @Option(names = "--follow", description = "Wait for new events and print them as they come.")
  boolean follow;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Write the events and the nodes' capacity as one HTML page to FILE.")
  Path html;

  private final Set<String> warned = new HashSet<>();

  @Override
  public Integer call() {
    if (html != null) {
      return page();
    }
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

  private int page() {
    if (follow) {
      main.console.error("--html writes one page and ends: leave out --follow");
      return ExitCodes.USAGE;
    }
    return main.withRuntimeBlocking(
        runtime -> {
          EventsPageFile.Written written;
          try {
            written =
                new EventsPageFile(runtime, this::warnOnce)
                    .write(html, vmid == null ? OptionalInt.empty() : OptionalInt.of(vmid));
          } catch (IOException e) {
            main.console.error("events --html: " + e.getMessage());
            return ExitCodes.USAGE;
          }
          main.console.out().println(written.summary());
          return ExitCodes.OK;
        });
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
