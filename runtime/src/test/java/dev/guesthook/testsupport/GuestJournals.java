package dev.guesthook.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Guests' journals on a host root, aged as a test needs. */
public final class GuestJournals {
  private GuestJournals() {}

  /**
   * Makes guest {@code vmid}'s start on {@code root} a day old: a reconcile leaves a guest that
   * started a moment ago alone as still starting, and puts back what a long-stopped one holds.
   */
  public static void startedADayAgo(Path root, String vmid) throws IOException {
    Path journal = root.resolve("var/lib/guesthook/journal/" + vmid + ".jsonl");
    String dayAgo = Instant.now().minus(1, ChronoUnit.DAYS).toString();
    Files.writeString(
        journal,
        Files.readString(journal)
            .replaceAll("\"started\":\"[^\"]+\"", "\"started\":\"" + dayAgo + "\""));
  }
}
