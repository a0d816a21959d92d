package dev.guesthook.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.pve.Pve;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A simulated cluster: node roots that see one /etc/pve, as pmxcfs shows it on each node. */
class ClusterSandboxTest {
  @TempDir static Path base;
  static Path cluster;

  @BeforeAll
  static void create() throws Exception {
    cluster = base.resolve("c");
    ClusterSandbox.create(cluster, SandboxProfile.MIXED, 3);
  }

  private static SimulatedHost node(String name) {
    return SimulatedHost.sandbox(cluster.resolve("nodes").resolve(name));
  }

  @Test
  void eachNodeIsASandboxNamedByItsHostname() {
    for (String name : List.of("pve1", "pve2", "pve3")) {
      assertEquals(Optional.of(name), new Pve(node(name)).nodeName());
    }
  }

  @Test
  void aFileOneNodeWritesInEtcPveIsWhatAnotherReads() {
    HostPath shared = HostPath.parse("/etc/pve/nodes/pve1/note");
    node("pve1").write(shared, "from pve1\n");
    assertEquals("from pve1\n", node("pve3").read(shared));
    assertEquals("from pve1\n", node("pve1").read(HostPath.parse("/etc/pve/local/note")));
  }

  @Test
  void localAndTheGuestFoldersArePerNodeLinksAsPmxcfsMakesThem() {
    assertEquals(
        Optional.of(HostPath.parse("/etc/pve/nodes/pve2")),
        node("pve2").readLink(HostPath.parse("/etc/pve/local")));
    assertEquals(
        Optional.of(HostPath.parse("/etc/pve/nodes/pve2/qemu-server")),
        node("pve2").readLink(HostPath.parse("/etc/pve/qemu-server")));
  }

  /**
   * The profile's resource mappings have an entry for every node (their hardware is the same), as
   * an admin maps a device on each node that has it: a mapped guest can start where it is dealt.
   */
  @Test
  void eachNodeHasItsEntryInTheProfilesMappings() throws Exception {
    String mappings = Files.readString(cluster.resolve("pmxcfs/mapping/pci.cfg"));

    for (String name : List.of("pve1", "pve2", "pve3")) {
      assertTrue(mappings.contains("\tmap node=" + name + ",path=0000:0b:00,"), mappings);
    }
    assertFalse(mappings.contains("node=pve-sandbox"), mappings);
  }

  @Test
  void theProfilesGuestsAreDealtOutEachToOneNode() {
    Set<Object> seen = new HashSet<>();
    List<Object> all = new ArrayList<>();
    for (String name : List.of("pve1", "pve2", "pve3")) {
      List<?> guests = new Pve(node(name)).guests();
      assertFalse(guests.isEmpty(), name + " has guests");
      all.addAll(guests);
      seen.addAll(guests);
    }
    assertEquals(all.size(), seen.size(), "no guest on two nodes: " + all);
  }

  @Test
  void aLinkInTheSharedTreeThatLeadsElsewhereIsRefused() throws Exception {
    Files.createSymbolicLink(cluster.resolve("pmxcfs/nodes/pve1/out"), base);
    HostException refused =
        assertThrows(
            HostException.class,
            () -> node("pve2").list(HostPath.parse("/etc/pve/nodes/pve1/out")));
    assertEquals("EXDEV", refused.errno());
  }

  @Test
  void quorumIsTakenFromTheNodesNamedAndGivenBack() throws Exception {
    assertEquals(List.of("pve3"), ClusterSandbox.setQuorum(cluster, List.of("pve3"), false));
    assertTrue(members("pve3").contains("\"quorate\": 0"), members("pve3"));
    assertTrue(members("pve1").contains("\"quorate\": 1"), members("pve1"));
    ClusterSandbox.setQuorum(cluster, List.of(), true);
    assertTrue(members("pve3").contains("\"quorate\": 1"), members("pve3"));
  }

  @Test
  void quorumOfANodeTheClusterHasNotIsRefused() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> ClusterSandbox.setQuorum(cluster, List.of("pve9"), false));
    assertEquals(
        "no node 'pve9' in " + cluster + " (its nodes: pve1 pve2 pve3)", refused.getMessage());
  }

  @Test
  void aClusterNeedsTwoToSixteenNodesAndANewOrEmptyFolder() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ClusterSandbox.create(base.resolve("one"), SandboxProfile.MIXED, 1));
    assertFalse(Files.exists(base.resolve("one")));
    assertThrows(
        IllegalArgumentException.class,
        () -> ClusterSandbox.create(cluster, SandboxProfile.MIXED, 2));
  }

  private static String members(String node) throws Exception {
    return Files.readString(cluster.resolve("nodes").resolve(node).resolve("etc/pve/.members"));
  }
}
