package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.app.ExitCodes;
import dev.guesthook.testsupport.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code guesthook cluster place} on a simulated three-node cluster whose nodes differ: what it
 * says fits is what a pre-start on that node then does, and what it refuses the pre-start refuses.
 */
class ClusterPlaceTest {
  private static final List<String> NODES = List.of("pve1", "pve2", "pve3");

  @TempDir Path base;
  private Path cluster;

  @BeforeEach
  void aClusterOfThree() {
    cluster = base.resolve("c");
    Cli.Result created =
        Cli.run(
            List.of("sandbox", "create", cluster.toString(), "--nodes", "3", "--profile", "mixed"));
    assertEquals(0, created.exitCode(), created::toString);
  }

  private Cli.Result on(String node, String... args) {
    List<String> all =
        new ArrayList<>(
            List.of("--root", cluster.resolve("nodes/" + node).toString(), "--simulate"));
    all.addAll(List.of(args));
    return Cli.run(all);
  }

  private void vm(String node, int vmid, String settings, String... lines) throws Exception {
    StringBuilder config = new StringBuilder("name: vm" + vmid + "\nostype: l26\n");
    for (String line : lines) {
      config.append(line).append('\n');
    }
    config.append("scsi0: local-lvm:vm-").append(vmid).append("-disk-0,size=8G\n");
    Path file = cluster.resolve("pmxcfs/nodes/" + node + "/qemu-server/" + vmid + ".conf");
    Files.writeString(file, config);
    if (!settings.isEmpty()) {
      Files.writeString(cluster.resolve("pmxcfs/guesthook/" + vmid + ".yaml"), settings);
    }
  }

  /** As a migration does: the config moves to the node's folder. */
  private void moveTo(int vmid, String node) throws Exception {
    for (String from : NODES) {
      Path config = cluster.resolve("pmxcfs/nodes/" + from + "/qemu-server/" + vmid + ".conf");
      if (Files.exists(config)) {
        Files.move(
            config, cluster.resolve("pmxcfs/nodes/" + node + "/qemu-server/" + vmid + ".conf"));
        return;
      }
    }
    throw new AssertionError("no config of " + vmid);
  }

  private static void says(Cli.Result place, String line) {
    assertTrue(place.out().contains(line), () -> line + "\n" + place);
  }

  private static JsonNode nodeIn(JsonNode place, String node) {
    for (JsonNode entry : place.get("nodes")) {
      if (entry.get("node").asText().equals(node)) {
        return entry;
      }
    }
    throw new AssertionError("no " + node + " in " + place);
  }

  /** Nodes that differ: pve2 has one T4-4Q left, pve3 no free VF of 03:00.1; all published. */
  private void nodesThatDiffer() throws Exception {
    vm(
        "pve2",
        910,
        """
        mdev:
          devices:
            - { parent: "0000:3b:00.0", type: nvidia-232 }
            - { parent: "0000:3b:00.0", type: nvidia-232 }
            - { parent: "0000:3b:00.0", type: nvidia-232 }
        """);
    vm(
        "pve3",
        920,
        """
        sriov-vf:
          vfs:
            - { pf: "0000:03:00.1", numvfs: 2 }
            - { pf: "0000:03:00.1" }
        """);
    vm("pve1", 930, "");
    String group =
        Files.readSymbolicLink(
                cluster.resolve("nodes/pve2/sys/bus/pci/devices/0000:03:00.0/iommu_group"))
            .getFileName()
            .toString();
    Files.writeString(
        cluster.resolve("pmxcfs/mapping/pci.cfg"),
        "\nnic-p0\n\tmap node=pve2,path=0000:03:00.0,id=8086:1572,subsystem-id=8086:0006,"
            + "iommugroup="
            + group
            + "\n",
        StandardOpenOption.APPEND);
    assertEquals(0, on("pve2", "910", "pre-start").exitCode(), "pve2's T4-4Q taken");
    assertEquals(0, on("pve3", "920", "pre-start").exitCode(), "pve3's VFs of 03:00.1 taken");
    assertEquals(0, on("pve1", "930", "pre-start").exitCode(), "pve1 publishes");
  }

  /** The place verdicts by node, then each node's pre-start of the guest moved there. */
  private void agreesWithPreStartOnEachNode(int vmid) throws Exception {
    Cli.Result place = on("pve2", "--json", "cluster", "place", Integer.toString(vmid));
    Map<String, Boolean> fits = new LinkedHashMap<>();
    for (String node : NODES) {
      fits.put(node, nodeIn(place.json(), node).get("fits").asBoolean());
    }
    for (String node : NODES) {
      moveTo(vmid, node);
      Cli.Result preStart = on(node, Integer.toString(vmid), "pre-start");
      String why = node + ": place said " + fits.get(node) + "\n" + place + "\n" + preStart;
      assertEquals(fits.get(node) ? ExitCodes.OK : ExitCodes.HOOK_FAILED, preStart.exitCode(), why);
    }
  }

  @Test
  void placeAgreesWithWhatAPreStartOnEachNodeThenDoes() throws Exception {
    nodesThatDiffer();
    vm(
        "pve1",
        900,
        """
        mdev:
          devices:
            - { parent: "0000:3b:00.0", type: nvidia-232 }
            - { parent: "0000:3b:00.0", type: "GRID T4-4Q" }
        sriov-vf:
          vfs:
            - { pf: "0000:03:00.1", numvfs: 2 }
        """);

    Cli.Result place = on("pve2", "cluster", "place", "900");

    assertEquals(ExitCodes.OK, place.exitCode(), place::toString);
    assertTrue(
        place.out().startsWith("VM 900 (config on pve1): where it could start now\n"),
        place::toString);
    assertTrue(
        place.out().matches("(?s).*\npve1  fits \\(data \\d+ s old\\)\n.*"), place::toString);
    says(
        place,
        "\npve2  no: mdev.devices: 0000:3b:00.0 has 1 free of 'nvidia-232', 2 asked for"
            + " (data ");
    says(
        place,
        "\npve3  no: sriov-vf.vfs[0]: 0000:03:00.1 has 0 free VF(s), 1 asked for; raise"
            + " its VF count (numvfs) (data ");
    agreesWithPreStartOnEachNode(900);
  }

  @Test
  void aMappedDeviceFitsOnlyWhereItsMappingMatches() throws Exception {
    nodesThatDiffer();
    vm("pve3", 940, "", "hostpci0: mapping=nic-p0");

    Cli.Result place = on("pve1", "--json", "cluster", "place", "940");

    assertEquals(ExitCodes.OK, place.exitCode(), place::toString);
    assertEquals(true, nodeIn(place.json(), "pve2").get("fits").asBoolean(), place::toString);
    assertEquals(
        "hostpci0: PCI device mapping not found for 'nic-p0' (mapping 'nic-p0' has no entry for"
            + " node pve1)",
        nodeIn(place.json(), "pve1").at("/reasons/0").asText(),
        place::toString);
    agreesWithPreStartOnEachNode(940);
  }

  @Test
  void aGuestWithoutPassthroughFitsOnEveryFreshNodeAndAStaleNodeIsNotOffered() throws Exception {
    nodesThatDiffer();
    Path pve3 = cluster.resolve("pmxcfs/nodes/pve3/guesthook/status.json");
    String published = Files.readString(pve3);
    Files.writeString(
        pve3,
        published.replaceFirst(
            "\"publishedAt\":\"[^\"]+\"", "\"publishedAt\":\"2026-01-01T00:00:00Z\""));

    Cli.Result place = on("pve1", "cluster", "place", "930");

    assertEquals(ExitCodes.OK, place.exitCode(), place::toString);
    assertTrue(
        place.out().matches("(?s).*\npve1  fits \\(data \\d+ s old\\)\n.*"), place::toString);
    assertTrue(
        place.out().matches("(?s).*\npve2  fits \\(data \\d+ s old\\)\n.*"), place::toString);
    assertTrue(
        place
            .out()
            .matches(
                "(?s).*\npve3  no: its data is stale \\(published 2026-01-01T00:00:00Z, \\d+ s"
                    + " ago, over 180 s\\): not offered\n.*"),
        place::toString);
    JsonNode json = on("pve1", "--json", "cluster", "place", "930").json();
    assertEquals(false, nodeIn(json, "pve3").get("fits").asBoolean());
    assertEquals(true, nodeIn(json, "pve3").get("stale").asBoolean());
    assertEquals("[\"pve1\",\"pve2\"]", json.get("fits").toString());
  }

  @Test
  void aNodesGarbageFileIsNamedAndThatNodeIsNotOffered() throws Exception {
    nodesThatDiffer();
    Files.writeString(cluster.resolve("pmxcfs/nodes/pve2/guesthook/status.json"), "garbage{");

    Cli.Result place = on("pve1", "cluster", "place", "930");

    assertEquals(ExitCodes.OK, place.exitCode(), place::toString);
    says(
        place,
        "\npve2  no: /etc/pve/nodes/pve2/guesthook/status.json: not guesthook's node" + " data (");
  }

  @Test
  void whenNoNodeFitsTheExitIsOne() throws Exception {
    nodesThatDiffer();
    vm(
        "pve1",
        950,
        """
        sriov-vf:
          vfs:
            - { pf: "0000:03:00.1", numvfs: 65 }
        """);

    Cli.Result place = on("pve3", "cluster", "place", "950");

    assertEquals(ExitCodes.HOOK_FAILED, place.exitCode(), place::toString);
    says(
        place,
        "\npve1  no: sriov-vf.vfs[0]: numvfs: 0000:03:00.1 supports at most 64 VFs"
            + " (sriov_totalvfs); 65 asked for (data ");
    assertFalse(place.out().contains(" fits "), place::toString);
    agreesWithPreStartOnEachNode(950);
  }

  @Test
  void aBadVmidAnAbsentGuestAndNoClusterAreUsageErrors() throws Exception {
    Cli.Result bad = on("pve1", "cluster", "place", "12x");
    assertEquals(ExitCodes.USAGE, bad.exitCode(), bad::toString);
    assertEquals(
        "guesthook: error: invalid vmid '12x': expected an integer from 100 to 999999999\n",
        bad.err());

    Cli.Result absent = on("pve1", "cluster", "place", "999");
    assertEquals(ExitCodes.USAGE, absent.exitCode(), absent::toString);
    assertEquals(
        "guesthook: error: no VM 999 in this cluster: no /etc/pve/nodes/<node>/qemu-server/999.conf"
            + " on pve1, pve2, pve3\n",
        absent.err());

    Path single = base.resolve("single");
    Cli.run(List.of("sandbox", "create", single.toString(), "--profile", "sriov-nic"));
    Cli.Result alone =
        Cli.run(List.of("--root", single.toString(), "--simulate", "cluster", "place", "501"));
    assertEquals(ExitCodes.USAGE, alone.exitCode(), alone::toString);
    assertEquals(
        "guesthook: error: no cluster here: /etc/pve/nodes is absent or empty (is pmxcfs"
            + " running?)\n",
        alone.err());
  }

  @Test
  void helpTeachesWhatItAnswersAndItsExitCodes() {
    Cli.Result help = on("pve1", "cluster", "place", "--help");
    assertEquals(0, help.exitCode());
    for (String part :
        List.of("guesthook cluster place 4711", "Exit 0", "1 when no node", "2 when", "--json")) {
      assertTrue(help.out().contains(part), () -> part + "\n" + help);
    }
  }
}
