package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.SimulatedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guesthook events --html FILE --cluster} on a simulated three-node cluster: every node's
 * published events on one page (each phase naming its node), a migration drawn as one story, a
 * stale or unreadable node named while the others are drawn, and a peer's planted text shown as
 * text.
 */
class ClusterEventsHtmlTest {
  @TempDir Path base;

  /** VM 501 migrated pve1 -> pve2 (SimulatedCluster.migrated501), and pve2 started its VM 502. */
  private SimulatedCluster migrated() throws Exception {
    SimulatedCluster cluster = SimulatedCluster.create(base.resolve("c")).migrated501();
    assertEquals(0, cluster.on("pve2", "502", "pre-start").exitCode());
    return cluster;
  }

  /** The node each drawn phase names, in page order: {@code "<vmid>:<index> <node>"}. */
  private static List<String> drawnNodes(String html) {
    Matcher node = Pattern.compile("data-check=\"node:(\\d+:\\d+):([^\"]+)\"").matcher(html);
    List<String> out = new ArrayList<>();
    while (node.find()) {
      out.add(node.group(1) + " " + node.group(2));
    }
    return out;
  }

  @Test
  void fromPve3ThePageShowsBothNodesEventsAndTheMigrationAsOneStory() throws Exception {
    SimulatedCluster cluster = migrated();
    Path page = base.resolve("cluster.html");

    Cli.Result made = cluster.on("pve3", "events", "--html", page.toString(), "--cluster");

    // pve3 has published nothing: named stale, exit 1 as events --cluster; the page is written
    assertEquals(ExitCodes.HOOK_FAILED, made.exitCode(), made::toString);
    assertTrue(made.out().contains("wrote 4 event(s) of 2 guest(s) to " + page), made::toString);
    // the exit 1 says why on the terminal too, not only on the page
    assertTrue(made.err().contains("pve3: STALE: 0 event(s), data age unknown;"), made::toString);
    String html = Files.readString(page);
    assertTrue(html.contains("<h2 id=\"vm-501\">VM 501</h2>"), html);
    assertTrue(html.contains("<h2 id=\"vm-502\">VM 502</h2>"), html);
    assertEquals(
        List.of("501:0 pve1", "501:1 pve1", "501:2 pve2", "502:0 pve2"), drawnNodes(html), html);
    // one story: the source's stop and the target's start with PVE_MIGRATED_FROM, under a heading
    Matcher story =
        Pattern.compile(
                "<div class=\"story\" data-check=\"story:501:0\"><h3>VM 501 migrated pve1 -&gt;"
                    + " pve2 at [^<]+</h3>(.*?)<h2 ",
                Pattern.DOTALL)
            .matcher(html);
    assertTrue(story.find(), html);
    String steps = story.group(1);
    assertEquals(List.of("501:1 pve1", "501:2 pve2"), drawnNodes(steps), steps);
    assertTrue(steps.contains("migrated from pve1"), steps);
    // hooks with durations and the host changes the ring names
    assertTrue(html.contains("data-check=\"bar:501:2:0:ok\""), html);
    assertTrue(
        Pattern.compile("<strong>sriov-vf</strong> <span[^>]*>ok</span> \\d+ ms")
            .matcher(html)
            .find(),
        html);
    assertTrue(html.contains("made: write /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"), html);
    assertTrue(html.contains("host changes: 7 made, 0 undone"), html);
    // every node: its events and data age, pve3 stale with why; each node's capacity
    assertTrue(html.contains("events of 3 node(s) as seen from pve3"), html);
    assertTrue(
        Pattern.compile("<li>pve1: 2 event\\(s\\), data \\d+ s old</li>").matcher(html).find(),
        html);
    assertTrue(
        html.contains(
            "<li class=\"stale\">pve3: STALE: 0 event(s), data age unknown;"
                + " /etc/pve/nodes/pve3/guesthook/status.json: absent (guesthook has not published"
                + " on this node)</li>"),
        html);
    assertTrue(html.contains("<h2 id=\"capacity\">Capacity</h2>"), html);
    assertTrue(html.contains("<h3>pve1 <span"), "pve1's capacity: " + html);
    assertTrue(html.contains("<h3>pve2 <span"), "pve2's capacity: " + html);
  }

  @Test
  void vmidDrawsOneGuestAcrossNodes() throws Exception {
    SimulatedCluster cluster = migrated();
    Path page = base.resolve("vm501.html");

    Cli.Result made =
        cluster.on("pve3", "events", "--cluster", "--vmid", "501", "--html", page.toString());

    assertEquals(ExitCodes.HOOK_FAILED, made.exitCode(), made::toString);
    String html = Files.readString(page);
    assertEquals(List.of("501:0 pve1", "501:1 pve1", "501:2 pve2"), drawnNodes(html), html);
    assertFalse(html.contains("VM 502"), html);
  }

  @Test
  void anUnreadableNodeIsNamedWithWhyAndTheOthersAreDrawn() throws Exception {
    SimulatedCluster cluster = migrated();
    assertEquals(0, cluster.on("pve3", "301", "pre-start").exitCode());
    Path pve2 = cluster.pmxcfs("nodes/pve2/guesthook/events.json");
    Files.delete(pve2);
    Files.createSymbolicLink(pve2, base.resolve("elsewhere.json"));
    Path page = base.resolve("cluster.html");

    Cli.Result made = cluster.on("pve3", "events", "--cluster", "--html", page.toString());

    assertEquals(ExitCodes.HOOK_FAILED, made.exitCode(), made::toString);
    String html = Files.readString(page);
    assertTrue(
        Pattern.compile(
                "<li class=\"stale\">pve2: STALE: 0 event\\(s\\), data \\d+ s old;"
                    + " /etc/pve/nodes/pve2/guesthook/events.json: a symbolic link; not followed")
            .matcher(html)
            .find(),
        html);
    assertEquals(List.of("301:0 pve3", "501:0 pve1", "501:1 pve1"), drawnNodes(html), html);
  }

  @Test
  void everyNodeFreshIsExit0() throws Exception {
    SimulatedCluster cluster = migrated();
    assertEquals(0, cluster.on("pve3", "301", "pre-start").exitCode());
    Path page = base.resolve("cluster.html");

    Cli.Result made = cluster.on("pve3", "events", "--cluster", "--html", page.toString());

    assertEquals(ExitCodes.OK, made.exitCode(), made::toString);
    assertFalse(Files.readString(page).contains("STALE"));
  }

  @Test
  void aPeersPlantedTextStaysText() throws Exception {
    SimulatedCluster cluster = migrated();
    String script = "<script>document.body.setAttribute('data-pwned','1')</script>";
    String img = "<img src=x onerror=alert(1)>";
    // pve3's ring (it ran nothing) planted with a hook name, a situation, an outcome and a change
    Path pve3 = Files.createDirectories(cluster.pmxcfs("nodes/pve3/guesthook"));
    Files.writeString(
        pve3.resolve("events.json"),
        """
        {"format":"guesthook-events","version":1,"node":"pve3","publishedAt":"2026-12-06T10:00:00Z",
         "entries":[{"seq":1,"time":"2026-12-06T10:00:00Z","vmid":301,"phase":"pre-start",
          "situation":"%1$s","outcome":"%2$s","durationMs":5,
          "hooks":[{"name":"%1$s","outcome":"%2$s","durationMs":5}],
          "changes":{"made":1,"undone":0,"shown":["made: %1$s"]}}]}
        """
            .formatted(script.replace("\"", "\\\""), img));
    // a node folder whose name is markup, and pve2's ring claiming to be a node named so
    Files.createDirectories(cluster.pmxcfs("nodes/" + img));
    Path pve2 = cluster.pmxcfs("nodes/pve2/guesthook/events.json");
    Files.writeString(
        pve2, Files.readString(pve2).replace("\"node\":\"pve2\"", "\"node\":\"" + img + "\""));
    Path page = base.resolve("cluster.html");

    Cli.Result made = cluster.on("pve1", "events", "--cluster", "--html", page.toString());

    assertEquals(ExitCodes.HOOK_FAILED, made.exitCode(), made::toString);
    String html = Files.readString(page);
    assertFalse(html.contains(script), html);
    assertFalse(html.contains(img), html);
    assertEquals(1, html.split("<script", -1).length - 1, "only the page's own script: " + html);
    String escapedScript =
        "&lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;1&#39;)&lt;/script&gt;";
    String escapedImg = "&lt;img src=x onerror=alert(1)&gt;";
    assertTrue(html.contains("<strong>" + escapedScript + "</strong>"), "the hook's name: " + html);
    assertTrue(html.contains("(" + escapedScript + ")"), "the situation: " + html);
    assertTrue(html.contains("made: " + escapedScript), "the change: " + html);
    assertTrue(html.contains(">" + escapedImg + "</span>"), "the outcome: " + html);
    assertTrue(
        html.contains(
            "folder(s) of no cluster member (not in /etc/pve/.members), not read: " + escapedImg),
        html);
    assertTrue(html.contains("says it is node &#39;" + escapedImg + "&#39;"), html);
    assertEquals(List.of("301:0 pve3", "501:0 pve1", "501:1 pve1"), drawnNodes(html), html);
  }

  @Test
  void noClusterIsExit2AndNoPage() throws Exception {
    Path root = base.resolve("alone");
    assertEquals(
        0, Cli.run(List.of("sandbox", "create", root.toString(), "--profile", "mixed")).exitCode());
    Path page = base.resolve("cluster.html");

    Cli.Result made =
        Cli.run(
            List.of(
                "--root",
                root.toString(),
                "--simulate",
                "events",
                "--cluster",
                "--html",
                page.toString()));

    assertEquals(ExitCodes.USAGE, made.exitCode(), made::toString);
    assertTrue(
        made.err().contains("no cluster here: /etc/pve/nodes is absent or empty"), made::toString);
    assertFalse(Files.exists(page));
  }

  @Test
  void followIsRefusedWithExit2() throws Exception {
    SimulatedCluster cluster = SimulatedCluster.create(base.resolve("c"));
    Path page = base.resolve("cluster.html");

    Cli.Result made =
        cluster.on("pve1", "events", "--cluster", "--follow", "--html", page.toString());

    assertEquals(ExitCodes.USAGE, made.exitCode(), made::toString);
    assertTrue(made.err().contains("leave out --follow"), made::toString);
    assertFalse(Files.exists(page));
  }

  @Test
  void helpTeachesTheClusterPage() {
    Cli.Result help = Cli.run(List.of("events", "--help"));

    assertTrue(
        help.out().contains("guesthook events --cluster --html /root/cluster.html"),
        help::toString);
    assertFalse(help.out().contains("not built yet"), help::toString);
  }
}
