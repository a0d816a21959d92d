package dev.guesthook.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.json.Json;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.SimulatedCluster;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guesthook events --html} as a person sees it: the page opened in a real headless Chromium
 * (Debian's package, installed by {@code testbed/setup}), its screenshot checked where the page's
 * own layout note says each mark is: the red square of a failed phase, each hook's bar in its
 * outcome's colour, the free share of each capacity bar; on the cluster's page (--cluster), a
 * migration's story with the bars of both its nodes. A recording's text that looks like a script
 * stays text and does not run. Skipped, with the reason, where Chromium is not installed.
 */
class EventsPageBrowserIT {
  /** Debian's; another with -Dguesthook.chromium=PATH (a missing one shows the skip). */
  private static final Path CHROMIUM =
      Path.of(System.getProperty("guesthook.chromium", "/usr/bin/chromium"));

  private static final int WIDTH = 1280;
  private static final int HEIGHT = 2000;
  private static final int RED_MARK = 0xd50000;
  private static final int OK = 0x2e7d32;
  private static final int FAILED = 0xc62828;
  private static final int SKIPPED = 0xb0b0b0;
  private static final int FREE = 0x43a047;
  private static final int STORY = 0x1565c0;

  /** The cluster's page has every node's capacity above the timelines: a taller window. */
  private static final int CLUSTER_HEIGHT = 3600;

  private static final String PLANTED =
      "<script>document.body.setAttribute('data-pwned','1')</script>";

  @TempDir static Path base;
  static Path page;
  static String dom;
  static BufferedImage screenshot;
  static List<Mark> marks;

  /** Where the page says it drew one of its marks, in CSS pixels (the screenshot's, at scale 1). */
  record Mark(String check, int x, int y, int w, int h) {
    int centreX() {
      return x + w / 2;
    }

    int centreY() {
      return y + h / 2;
    }
  }

  @BeforeAll
  static void pageInChromium() throws Exception {
    if (!Files.isExecutable(CHROMIUM)) {
      return; // each test is reported skipped, with the reason (chromiumIsThere)
    }
    page = pageOfRecordings();
    Path png = base.resolve("page.png");
    chromium(page, "--screenshot=" + png, "--window-size=" + WIDTH + "," + HEIGHT);
    screenshot = ImageIO.read(png.toFile());
    dom = chromium(page, "--dump-dom", "--window-size=" + WIDTH + "," + HEIGHT);
    marks = layout(dom);
  }

  /** Each test skipped, with the reason, so the build's counts show what did not run. */
  @BeforeEach
  void chromiumIsThere() {
    assumeTrue(
        Files.isExecutable(CHROMIUM),
        "Chromium is not installed ("
            + CHROMIUM
            + "): install it with testbed/setup (Debian, root),"
            + " or apt-get install --no-install-recommends chromium");
  }

  /**
   * A sandbox node with recorded phases: VM 501's four (ok) and VM 503's pre-start that failed and
   * was rolled back, its failure's message replaced by a script.
   */
  private static Path pageOfRecordings() throws IOException {
    Path root = base.resolve("node");
    assertEquals(
        0, Cli.run(List.of("sandbox", "create", root.toString(), "--profile", "mixed")).exitCode());
    Path recordings = Files.createDirectories(root.resolve("var/lib/guesthook/recordings"));
    Path examples = Path.of("../examples/recordings");
    Files.copy(
        examples.resolve("sriov-vf-mac-vlan.jsonl"), recordings.resolve("501-2026-01-01.jsonl"));
    String failed =
        Files.readString(examples.resolve("failed-pre-start-rolled-back.jsonl"))
            .replace("vf 70 out of range", PLANTED);
    assertTrue(failed.contains(PLANTED), "the planted message is in the recording");
    Files.writeString(recordings.resolve("503-2026-01-02.jsonl"), failed);
    Path html = base.resolve("events.html");
    Cli.Result made =
        Cli.run(
            List.of("--root", root.toString(), "--simulate", "events", "--html", html.toString()));
    assertEquals(0, made.exitCode(), made::toString);
    return html;
  }

  private static String chromium(Path page, String... what) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                CHROMIUM.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + Files.createTempDirectory(base, "profile")));
    command.addAll(List.of(what));
    command.add(page.toUri().toString());
    Path out = Files.createTempFile(base, "chromium", ".out");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("chromium took more than 20 s: " + command);
    }
    assertEquals(0, process.exitValue(), () -> "chromium failed: " + command);
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  /** The page's {@code data-layout} note on the body, as the browser laid the page out. */
  private static List<Mark> layout(String dom) throws IOException {
    Matcher note = Pattern.compile("data-layout=\"([^\"]*)\"").matcher(dom);
    assertTrue(note.find(), "the page's script left its layout note");
    String json =
        note.group(1)
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&");
    List<Mark> out = new ArrayList<>();
    for (JsonNode mark : Json.MAPPER.readTree(json)) {
      out.add(
          new Mark(
              mark.get("check").asText(),
              mark.get("x").asInt(),
              mark.get("y").asInt(),
              mark.get("w").asInt(),
              mark.get("h").asInt()));
    }
    return out;
  }

  private static List<Mark> marks(String prefix, String suffix) {
    return marks.stream()
        .filter(m -> m.check().startsWith(prefix) && m.check().endsWith(suffix))
        .toList();
  }

  private static void assertColour(int expected, Mark mark) {
    assertColour(screenshot, expected, mark, mark.centreX(), mark.centreY());
  }

  private static void assertColour(BufferedImage shot, int expected, Mark mark, int x, int y) {
    assertTrue(
        x < shot.getWidth() && y < shot.getHeight(), () -> mark + " lies outside the screenshot");
    int found = shot.getRGB(x, y) & 0xffffff;
    assertTrue(
        close(expected, found),
        () ->
            String.format(
                "%s: expected #%06x at (%d,%d), the screenshot has #%06x",
                mark, expected, x, y, found));
  }

  private static boolean close(int a, int b) {
    for (int shift = 0; shift <= 16; shift += 8) {
      if (Math.abs((a >> shift & 0xff) - (b >> shift & 0xff)) > 24) {
        return false;
      }
    }
    return true;
  }

  @Test
  void eachFailedPhaseShowsItsRedMark() {
    List<Mark> failed = marks("mark:503:", ":failed");
    assertEquals(1, failed.size(), marks::toString);
    failed.forEach(mark -> assertColour(RED_MARK, mark));
    List<Mark> ok = marks("mark:501:", ":ok");
    assertEquals(4, ok.size(), marks::toString);
    ok.forEach(mark -> assertColour(OK, mark));
  }

  @Test
  void eachHooksBarIsDrawnInItsOutcomesColour() {
    List<Mark> failedBars = marks("bar:503:", ":failed");
    assertFalse(failedBars.isEmpty(), "503's failed hook has its bar");
    failedBars.forEach(bar -> assertColour(FAILED, bar));
    marks("bar:", ":ok").stream().filter(b -> b.w() >= 3).forEach(bar -> assertColour(OK, bar));
    marks("bar:", ":skipped").stream()
        .filter(b -> b.w() >= 3)
        .forEach(bar -> assertColour(SKIPPED, bar));
    // The failed hook took most of the phase's time: its bar is the widest of its timeline.
    Mark failed = failedBars.get(0);
    assertTrue(marks("bar:503:", "").stream().allMatch(b -> b.w() <= failed.w()), marks::toString);
  }

  @Test
  void theTimelinesStayInTheirWidth() {
    int right = marks("bar:", "").stream().mapToInt(b -> b.x() + b.w()).max().orElseThrow();
    Mark any = marks("bar:503:", "").get(0);
    assertTrue(right <= any.x() + 760 + 1, "no bar beyond the timeline: " + right);
    // beyond the timeline, the row is the page's white
    int beyond = screenshot.getRGB(right + 40, any.centreY()) & 0xffffff;
    assertTrue(close(0xffffff, beyond), String.format("#%06x beyond the bars", beyond));
  }

  @Test
  void theNodesFreeCapacityIsDrawn() {
    List<Mark> free = marks("free:", "");
    assertFalse(free.isEmpty(), "capacity bars with a free share");
    free.forEach(bar -> assertColour(FREE, bar));
    assertTrue(dom.contains("0000:03:00.0"), "the PF is named");
  }

  @Test
  void aRecordedScriptIsShownAsTextAndDoesNotRun() {
    assertFalse(dom.contains("data-pwned=\"1\""), "the planted script ran");
    assertTrue(
        dom.contains("&lt;script&gt;document.body.setAttribute('data-pwned','1')&lt;/script&gt;"),
        "the planted script is shown as text");
  }

  /**
   * A simulated three-node cluster, the stock hooks of this checkout: VM 501 migrated pve1 -> pve2
   * (PVE_MIGRATED_FROM=pve1 on pve2's pre-start); pve3 draws every node's events.
   */
  private static Path pageOfCluster() throws IOException {
    SimulatedCluster cluster =
        SimulatedCluster.create(base.resolve("cluster"))
            .with("--hooks", Path.of("../hooks/stock").toAbsolutePath().normalize().toString())
            .migrated501();
    Path html = base.resolve("cluster.html");
    Cli.Result made = cluster.on("pve3", "events", "--cluster", "--html", html.toString());
    assertTrue(Files.exists(html), made::toString);
    return html;
  }

  @Test
  void theClusterPageDrawsTheMigrationAsOneStoryWithBarsFromBothNodes() throws Exception {
    Path html = pageOfCluster();
    Path png = base.resolve("cluster.png");
    chromium(html, "--screenshot=" + png, "--window-size=" + WIDTH + "," + CLUSTER_HEIGHT);
    BufferedImage shot = ImageIO.read(png.toFile());
    List<Mark> drawn =
        layout(chromium(html, "--dump-dom", "--window-size=" + WIDTH + "," + CLUSTER_HEIGHT));

    Mark story = only(drawn, "story:501:0");
    // the story's blue rule down its left edge, from its heading to its last step
    assertColour(shot, STORY, story, story.x() + 1, story.y() + 4);
    assertColour(shot, STORY, story, story.x() + 1, story.y() + story.h() - 4);
    // in it, one step of each node, each with its hook's bar drawn green (ok)
    List<String> nodes = new ArrayList<>();
    for (Mark node : drawn) {
      if (node.check().startsWith("node:501:") && inside(story, node)) {
        String[] parts = node.check().split(":");
        nodes.add(parts[3]);
        Mark bar = only(drawn, "bar:501:" + parts[2] + ":0:ok");
        assertTrue(inside(story, bar), () -> bar + " outside " + story);
        assertColour(shot, OK, bar, bar.centreX(), bar.centreY());
      }
    }
    assertEquals(List.of("pve1", "pve2"), nodes, drawn::toString);
  }

  private static Mark only(List<Mark> drawn, String check) {
    List<Mark> found = drawn.stream().filter(m -> m.check().equals(check)).toList();
    assertEquals(1, found.size(), () -> check + " in " + drawn);
    return found.get(0);
  }

  private static boolean inside(Mark box, Mark mark) {
    return mark.y() >= box.y() && mark.y() + mark.h() <= box.y() + box.h();
  }
}
