package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guesthook events --html FILE}: one page with each guest's timeline and the node's
 * capacity, that needs nothing from elsewhere and shows every recorded text as text.
 */
class EventsHtmlTest {
  @TempDir Path base;

  private Path node() {
    Path root = base.resolve("node");
    assertEquals(
        0, Cli.run(List.of("sandbox", "create", root.toString(), "--profile", "mixed")).exitCode());
    return root;
  }

  private static Cli.Result on(Path root, String... args) {
    List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--simulate"));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  @Test
  void thePageShowsEachGuestsPhasesHooksFailuresAndTheNodesCapacity() throws Exception {
    Path root = node();
    on(root, "501", "pre-start");
    on(root, "503", "pre-start"); // aborted: its VF cannot be had
    // A pre-start whose cpu-governor hook was rolled back when sriov-vf failed after it.
    Path recordings = root.resolve("var/lib/guesthook/recordings");
    Files.copy(
        Path.of("../examples/recordings/failed-pre-start-rolled-back.jsonl"),
        recordings.resolve("503-2026-01-02.jsonl"));
    Path page = base.resolve("events.html");

    Cli.Result made = on(root, "events", "--html", page.toString());

    assertEquals(ExitCodes.OK, made.exitCode(), made::toString);
    assertTrue(made.out().contains(page.toString()), made::toString);
    String html = Files.readString(page);
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("<h2 id=\"vm-501\">VM 501</h2>"), html);
    assertTrue(html.contains("<h2 id=\"vm-503\">VM 503</h2>"), html);
    assertTrue(html.contains("data-check=\"mark:503:0:failed\""), "503's failure is marked");
    assertTrue(html.contains("data-check=\"mark:503:1:failed\""), "and the later one");
    assertTrue(html.contains("aborted, rolled back"), html);
    assertTrue(html.contains("data-check=\"mark:501:0:ok\""), "501's start is marked ok");
    assertTrue(html.contains("↶ rolled back: restore cpu3 governor powersave"), html);
    assertTrue(html.contains("write /sys/"), "device changes are listed");
    assertTrue(html.contains("<h2 id=\"capacity\">Capacity</h2>"), html);
    assertTrue(html.contains("0000:03:00.0"), "the node's PF is in the capacity view");
  }

  @Test
  void thePageNeedsNothingFromElsewhere() throws Exception {
    Path root = node();
    on(root, "501", "pre-start");
    Path page = base.resolve("events.html");
    on(root, "events", "--html", page.toString());

    String html = Files.readString(page);
    for (String external :
        List.of("<link", "src=", "@import", "url(", "http://", "https://", "<iframe", "<img")) {
      assertFalse(html.contains(external), () -> "found " + external);
    }
    Matcher scripts = Pattern.compile("<script").matcher(html);
    int count = 0;
    while (scripts.find()) {
      count++;
    }
    assertEquals(1, count, "one inline script, the layout note");
    assertTrue(html.contains("Content-Security-Policy"), html);
  }

  @Test
  void anUnwritablePlaceIsRefusedWithExit2() throws Exception {
    Path root = node();
    Path missing = base.resolve("no/such/folder/events.html");

    Cli.Result made = on(root, "events", "--html", missing.toString());

    assertEquals(ExitCodes.USAGE, made.exitCode(), made::toString);
    assertTrue(made.err().contains(missing.getParent().toString()), made::toString);
  }

  @Test
  void aLinkWhereThePageGoesIsNotFollowed() throws Exception {
    Path root = node();
    Path victim = base.resolve("victim");
    Files.writeString(victim, "untouched\n");
    Path page = base.resolve("events.html");
    Files.createSymbolicLink(page, victim);

    on(root, "events", "--html", page.toString());

    assertEquals("untouched\n", Files.readString(victim));
  }

  @Test
  void helpTeachesWithExamples() {
    Cli.Result help = Cli.run(List.of("events", "--help"));

    assertTrue(help.out().contains("--html"), help::toString);
    assertTrue(help.out().contains("guesthook events --html /root/events.html"), help::toString);
  }
}
