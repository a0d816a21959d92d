package dev.guesthook.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.sandbox.ClusterSandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This node's files written into the cluster file system: no link on the way is followed, not even
 * one a peer swaps in between a check and the write.
 */
class ClusterFolderWriteTest {
  @TempDir Path base;
  Path cluster;
  Path root;
  Path nodeFolder;
  Path victim;
  ClusterFolder folder;
  final NodeName pve1 = new NodeName("pve1");
  final byte[] bytes = "{}".getBytes(StandardCharsets.UTF_8);

  @BeforeEach
  void onANodeOfACluster() throws Exception {
    cluster = base.resolve("c");
    ClusterSandbox.create(cluster, SandboxProfile.SRIOV_NIC, 2);
    root = cluster.resolve("nodes/pve1");
    nodeFolder = cluster.resolve("pmxcfs/nodes/pve1");
    victim = Files.createDirectories(base.resolve("victim"));
    folder = ClusterFolder.under(root);
  }

  @Test
  void writesTheFileAndLeavesNothingBeside() throws Exception {
    folder.write(pve1, "status.json", bytes);
    assertArrayEquals(bytes, Files.readAllBytes(nodeFolder.resolve("guesthook/status.json")));
    assertEquals(List.of("status.json"), names(nodeFolder.resolve("guesthook")));
  }

  @Test
  void aLinkInPlaceOfTheGuesthookFolderIsRefused() throws Exception {
    Files.createSymbolicLink(nodeFolder.resolve("guesthook"), victim);
    PublishException refused =
        assertThrows(PublishException.class, () -> folder.write(pve1, "status.json", bytes));
    assertTrue(refused.getMessage().contains("link"), refused.getMessage());
    assertEquals(List.of(), names(victim));
  }

  @Test
  void aLinkInPlaceOfTheNodeFolderIsRefused() throws Exception {
    Path moved = cluster.resolve("pmxcfs/pve1-moved");
    Files.move(nodeFolder, moved);
    Files.createDirectories(victim.resolve("guesthook"));
    Files.createSymbolicLink(nodeFolder, victim);
    assertThrows(PublishException.class, () -> folder.write(pve1, "status.json", bytes));
    assertEquals(List.of(), names(victim.resolve("guesthook")));
  }

  @Test
  void aLinkInPlaceOfTheFileOrItsNeighbourIsReplacedNotFollowed() throws Exception {
    Path guesthook = Files.createDirectories(nodeFolder.resolve("guesthook"));
    Path target = Files.writeString(victim.resolve("target"), "kept");
    Files.createSymbolicLink(guesthook.resolve("status.json"), target);
    Files.createSymbolicLink(
        guesthook.resolve(".status.json." + ProcessHandle.current().pid() + ".new"), target);
    folder.write(pve1, "status.json", bytes);
    assertEquals("kept", Files.readString(target));
    assertFalse(Files.isSymbolicLink(guesthook.resolve("status.json")));
    assertArrayEquals(bytes, Files.readAllBytes(guesthook.resolve("status.json")));
  }

  /**
   * A publish killed before its rename left its file beside; the next publish removes those of
   * processes gone, and leaves one of a process still running (find13).
   */
  @Test
  void filesLeftBesideByDeadPublishesAreRemoved() throws Exception {
    Path guesthook = Files.createDirectories(nodeFolder.resolve("guesthook"));
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Process running = new ProcessBuilder("sleep", "60").start();
    try {
      Path dead = guesthook.resolve(ClusterFolder.besideName("status.json", gone.pid()));
      Path deadEvents = guesthook.resolve(ClusterFolder.besideName("events.json", gone.pid()));
      Path alive = guesthook.resolve(ClusterFolder.besideName("status.json", running.pid()));
      Path other = guesthook.resolve("notes.txt");
      for (Path file : List.of(dead, deadEvents, alive, other)) {
        Files.writeString(file, "x");
      }

      folder.write(pve1, "status.json", bytes);

      assertEquals(
          List.of(alive.getFileName().toString(), "notes.txt", "status.json"), names(guesthook));
    } finally {
      running.destroy();
    }
  }

  /**
   * A peer swapping the guesthook folder with a link to another folder, again and again, while this
   * node publishes: nothing ever lands in that other folder (find04).
   */
  @Test
  void aFolderSwappedWithALinkWhilePublishingNeverLeadsAWriteOutside() throws Exception {
    Path guesthook = Files.createDirectories(nodeFolder.resolve("guesthook"));
    Path link = Files.createSymbolicLink(nodeFolder.resolve("gx"), victim);
    Path hold = nodeFolder.resolve("hold");
    AtomicBoolean stop = new AtomicBoolean();
    Thread swapper =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  Files.move(guesthook, hold, StandardCopyOption.ATOMIC_MOVE);
                  Files.move(link, guesthook, StandardCopyOption.ATOMIC_MOVE);
                  Thread.onSpinWait();
                  Files.move(guesthook, link, StandardCopyOption.ATOMIC_MOVE);
                  Files.move(hold, guesthook, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                  return;
                }
              }
            });
    swapper.start();
    try {
      for (int i = 0; i < 300 && names(victim).isEmpty(); i++) {
        try {
          folder.write(pve1, "status.json", bytes);
          folder.write(pve1, "events.json", bytes);
        } catch (PublishException refused) {
          // A link or no folder at the moment: refused, as it should be.
        }
      }
    } finally {
      stop.set(true);
      swapper.join();
    }
    assertEquals(List.of(), names(victim));
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
