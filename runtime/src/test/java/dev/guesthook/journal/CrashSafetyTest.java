package dev.guesthook.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guesthook.devices.Devices;
import dev.guesthook.host.sim.Faults;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.HostTree;
import dev.guesthook.testsupport.OneShot;
import dev.guesthook.testsupport.RunningQemu;
import dev.guesthook.testsupport.SandboxCopies;
import dev.guesthook.testsupport.TwoLanes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A guesthook process killed at every step of a multi-device pre-start (an mdev slice, an SR-IOV VF
 * with MAC and VLAN, a whole GPU with its audio function), each time followed by a reconcile:
 * nothing is leaked, and nothing a running guest holds is touched.
 */
class CrashSafetyTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();
  static final Path CLIENT = Path.of("src/main/scripts/guesthook-hookscript").toAbsolutePath();

  @TempDir Path root;
  @TempDir Path lanes;

  @BeforeEach
  void aNodeWithARunningGuestAndOneThatNeedsThreeDevices() throws Exception {
    Sandbox.create(root, SandboxProfile.MIXED);
    Files.writeString(
        root.resolve("etc/pve/qemu-server/900.conf"),
        """
        name: workstation
        memory: 4096
        hostpci0: 0000:0b:00,pcie=1,x-vga=1
        args: -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/00001000-0000-0000-0000-000000000900
        scsi0: local-lvm:vm-900-disk-0,size=32G
        """);
    Files.writeString(
        root.resolve("etc/pve/guesthook/900.yaml"),
        """
        mdev:
          devices:
            - { parent: "0000:00:02.0", type: i915-GVTg_V5_4 }
        sriov-vf:
          vfs:
            - { pf: "0000:03:00.1", mac: "52:54:00:5a:09:01", vlan: 90 }
        gpu-release: {}
        """);
    new Devices(SimulatedHost.sandbox(root)).sriov().setNumVfs(PciAddress.parse("03:00.1"), 4);
    Cli.Result firewall = guesthook("501", "pre-start");
    assertEquals(0, firewall.exitCode(), firewall::toString);
    RunningQemu.plant(root, 501, 4242);
  }

  @Test
  void killedAtAnyStepOfAPreStartAReconcileLeavesTheHostAsItWas() throws Exception {
    // Two copies of the node, odd steps on one and even on the other at once: each step is a
    // process of its own, and two cores run two (it was the suite's longest test).
    Path second = lanes.resolve("node");
    SandboxCopies.copyTree(root, second);
    int crashes = TwoLanes.sum(() -> crashesFrom(root, 1), () -> crashesFrom(second, 2));
    assertTrue(
        crashes >= 20,
        "a three-device pre-start makes more than ten host changes; crashed at " + crashes);
    assertEquals("vfio-pci", driver("0000:0b:00.0"));
  }

  /**
   * Kills the pre-start at every other step from {@code first} on {@code node}, each followed by a
   * reconcile that must leave the host as it was; how many steps it killed, until the pre-start
   * completes.
   */
  private int crashesFrom(Path node, int first) throws Exception {
    Map<String, String> before = HostTree.sandboxSnapshotOf(node);
    int crashes = 0;
    for (int step = first; ; step += 2) {
      SimulatedHost.sandbox(node).faults().crashAtStep(step);
      Cli.Result run =
          OneShot.run(
              List.of(
                  "--root",
                  node.toString(),
                  "--simulate",
                  "--hooks",
                  STOCK.toString(),
                  "900",
                  "pre-start"));
      if (run.exitCode() == 0) {
        return crashes; // past the last host change: the pre-start completed
      }
      assertEquals(137, run.exitCode(), "step " + step + ": " + run);
      crashes++;
      Cli.Result reconcile = guesthook(node, "reconcile");
      assertEquals(0, reconcile.exitCode(), "step " + step + ": " + reconcile);
      Map<String, String> after = HostTree.sandboxSnapshotOf(node);
      assertEquals(
          before,
          after,
          "step "
              + step
              + ": the host after the reconcile differs in "
              + HostTree.differences(before, after)
              + "\n"
              + reconcile.out());
    }
  }

  /**
   * The start's own note ("started") cannot be written, short or for a full disk: the start fails
   * (exit 1, not an internal error) and what the hooks changed is put back at once, with nothing
   * left for a reconcile. Before, the phase ended as internal error 3 with the devices changed, and
   * a reconcile could have taken them from the starting guest.
   */
  @ParameterizedTest
  @ValueSource(strings = {"short", "ENOSPC"})
  void aStartThatCannotBeNotedFailsAndPutsBackWhatItChanged(String how) throws Exception {
    Map<String, String> before = host();
    SimulatedHost.sandbox(root).faults().failJournalWrite("started", 1, how);
    Cli.Result start = guesthook("900", "pre-start");
    assertEquals(1, start.exitCode(), start::toString);
    assertTrue(
        start.out().contains("cannot note the start in the journal ")
            && start
                .out()
                .contains("; the start is aborted and what the hooks changed is put back"),
        start::toString);
    Map<String, String> after = host();
    assertEquals(
        before, after, () -> "differs in " + HostTree.differences(before, after) + "\n" + start);
    assertTrue(
        Files.notExists(root.resolve("var/lib/guesthook/journal/900.jsonl")),
        "nothing left to reconcile");
  }

  /**
   * Each journal write of the same pre-start fails in turn, cut short (a file-size limit) and with
   * ENOSPC (a full disk): a failed intent stops its change and the start, a failed result is
   * written again. Then the start is taken back as a reconcile takes it back (after a failed
   * pre-start at once; after a successful one, once the node has rebooted without a post-stop): the
   * host is as before.
   */
  @Test
  void aJournalWriteFailingAtAnyPointLeavesTheHostAsItWasAfterAReconcile() throws Exception {
    Map<String, String> before = host();
    int tried = 0;
    int identical = 0;
    for (String kind : List.of("intent", "result")) {
      for (String how : List.of("short", "ENOSPC")) {
        for (int nth = 1; ; nth++) {
          Faults faults = SimulatedHost.sandbox(root).faults().failJournalWrite(kind, nth, how);
          Cli.Result start = guesthook("900", "pre-start");
          String point = kind + " write " + nth + " " + how + ": ";
          if (!faults.pending().isEmpty()) {
            assertEquals(
                0, start.exitCode(), point + start); // fewer writes than that: nothing failed
            Files.delete(root.resolve(".simulator/faults.json"));
            rebootedAndReconciled(point);
            break;
          }
          tried++;
          if (kind.equals("intent")) {
            assertEquals(1, start.exitCode(), point + start);
            assertTrue(start.out().contains("; the change is not made"), point + start);
            assertEquals(0, guesthook("reconcile").exitCode(), point);
          } else {
            assertEquals(0, start.exitCode(), point + "written again\n" + start);
            assertTrue(
                Files.readString(root.resolve("var/lib/guesthook/journal/900.jsonl"))
                    .contains("{\"seq\":" + nth + ",\"result\":\"ok\"}"),
                point + "the result is in the journal");
            rebootedAndReconciled(point);
          }
          Map<String, String> after = host();
          assertEquals(
              before,
              after,
              point
                  + "the host after the reconcile differs in "
                  + HostTree.differences(before, after));
          identical++;
        }
      }
    }
    System.out.println(
        "journal write faults: "
            + tried
            + " points tried, "
            + identical
            + " identical after reconcile");
    assertTrue(
        tried >= 20,
        "a three-device pre-start writes more than five intents and five results; tried " + tried);
  }

  /**
   * The node reboots after a successful pre-start and no post-stop comes: the boot-time reconcile
   * puts it all back.
   */
  private void rebootedAndReconciled(String point) throws Exception {
    Path stat = root.resolve("proc/stat");
    Files.writeString(
        stat, "cpu  1 2 3\nbtime " + (java.time.Instant.now().getEpochSecond() + 1) + "\n");
    Cli.Result boot = guesthook("reconcile");
    Files.delete(stat);
    assertEquals(0, boot.exitCode(), point + boot);
  }

  @Test
  void aRuntimeKilledMidPreStartPutsItBackWhenItStartsAgain() throws Exception {
    Map<String, String> before = host();
    Path socket = root.resolve("run/guesthook/guesthook.sock");
    List<String> serve =
        List.of(
            "--root",
            root.toString(),
            "--simulate",
            "--hooks",
            STOCK.toString(),
            "serve",
            "--socket",
            socket.toString());
    SimulatedHost.sandbox(root).faults().crashAtStep(9);
    OneShot runtime = OneShot.start(serve);
    try {
      awaitSocket(socket);
      ProcessBuilder hookscript =
          new ProcessBuilder(CLIENT.toString(), "900", "pre-start").redirectErrorStream(true);
      hookscript.environment().put("GUESTHOOK_SOCKET", socket.toString());
      hookscript.environment().put("GUESTHOOK_ONESHOT", "/bin/false");
      Process client = hookscript.start();
      client.getOutputStream().close();
      String said =
          new String(
              client.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(
          3, client.waitFor(), "the runtime died mid-phase: Proxmox aborts the start\n" + said);
      assertEquals(137, runtime.await().exitCode());
    } finally {
      runtime.stop(); // a failed assertion must not leave a serve running after the tests
    }
    assertTrue(
        Files.exists(root.resolve("var/lib/guesthook/journal/900.jsonl")),
        "it died holding devices");
    Files.delete(socket); // the dead runtime's; the new one listens only once it has reconciled
    OneShot again = OneShot.start(serve);
    try {
      awaitSocket(socket);
      Map<String, String> after = host();
      after.remove("run/guesthook/guesthook.sock");
      assertEquals(before, after, () -> "differs in " + HostTree.differences(before, after));
    } finally {
      again.stop();
    }
  }

  private static void awaitSocket(Path socket) throws InterruptedException {
    for (int i = 0; i < 600 && Files.notExists(socket); i++) {
      Thread.sleep(50);
    }
    assertTrue(Files.exists(socket), "guesthook serve listens on " + socket);
  }

  @Test
  void aDryRunReconcileSaysWhatItWouldPutBackAndChangesNothing() throws Exception {
    SimulatedHost.sandbox(root).faults().crashAtStep(12);
    assertEquals(
        137,
        OneShot.run(
                List.of(
                    "--root",
                    root.toString(),
                    "--simulate",
                    "--hooks",
                    STOCK.toString(),
                    "900",
                    "pre-start"))
            .exitCode());
    Map<String, String> crashed = host();
    Cli.Result plan = guesthook("--dry-run", "--json", "reconcile");
    assertEquals(0, plan.exitCode(), plan::toString);
    JsonNode guests = plan.json().get("guests");
    assertEquals(List.of("501 running", "900 planned"), statuses(guests));
    assertTrue(
        guests
            .get(1)
            .get("steps")
            .toString()
            .contains("would remove mdev 00001000-0000-0000-0000-000000000900"),
        plan::toString);
    assertEquals(crashed, host(), "a dry run changes nothing");
  }

  @Test
  void aGuestWhoseStartFailedAfterPreStartIsPutBackByItsNextPreStart() throws Exception {
    Cli.Result start = guesthook("900", "pre-start");
    assertEquals(0, start.exitCode(), start::toString);
    // QEMU failed to start: Proxmox runs no post-stop. Within the start window a reconcile leaves
    // it alone.
    Cli.Result early = guesthook("--json", "reconcile", "--vm", "900");
    assertEquals(List.of("900 starting"), statuses(early.json().get("guests")));
    Cli.Result again = guesthook("900", "pre-start");
    assertEquals(0, again.exitCode(), again::toString);
    assertTrue(
        again
            .out()
            .contains("reconcile VM 900: mdev 00001000-0000-0000-0000-000000000900: removed mdev"),
        again::toString);
    assertEquals(1, Files.list(root.resolve("sys/bus/mdev/devices")).count(), "one slice, not two");
  }

  @Test
  void aStartFromBeforeTheLastBootIsNotUnderWay() throws Exception {
    assertEquals(0, guesthook("900", "pre-start").exitCode());
    // The node rebooted after that pre-start (the boot-time pass runs before Proxmox starts
    // guests).
    Files.writeString(
        root.resolve("proc/stat"),
        "cpu  1 2 3\nbtime " + (java.time.Instant.now().getEpochSecond() + 1) + "\n");
    Cli.Result boot = guesthook("--json", "reconcile");
    assertEquals(
        List.of("501 running", "900 reconciled"),
        statuses(boot.json().get("guests")),
        boot::toString);
    assertTrue(Files.notExists(root.resolve("var/lib/guesthook/journal/900.jsonl")));
  }

  private static List<String> statuses(JsonNode guests) {
    List<String> out = new ArrayList<>();
    guests.forEach(g -> out.add(g.get("vmid").asInt() + " " + g.get("status").asText()));
    return out;
  }

  private Cli.Result guesthook(String... args) {
    return guesthook(root, args);
  }

  private static Cli.Result guesthook(Path node, String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of("--root", node.toString(), "--simulate", "--hooks", STOCK.toString()));
    argv.addAll(List.of(args));
    return Cli.run(argv);
  }

  private Map<String, String> host() {
    return HostTree.sandboxSnapshotOf(root);
  }

  private String driver(String address) throws Exception {
    return Files.readSymbolicLink(root.resolve("sys/bus/pci/devices/" + address + "/driver"))
        .getFileName()
        .toString();
  }
}
