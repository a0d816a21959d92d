package dev.guesthook.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.devices.Devices;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.Cli;
import dev.guesthook.testsupport.OneShot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two guesthook processes starting two guests at once that both want the last of something: exactly
 * one wins, the other fails saying why and leaves nothing behind. A slow device (a delayed write)
 * holds the winner mid-change, so the loser arrives while the winner is still at work.
 */
class RaceTest {
  static final Path STOCK = Path.of("../hooks/stock").toAbsolutePath().normalize();

  @TempDir Path root;

  @BeforeEach
  void aNodeWithOneT4Slice16QAndOneVfLeft() throws Exception {
    Sandbox.create(root, SandboxProfile.MIXED);
    new Devices(SimulatedHost.sandbox(root)).sriov().setNumVfs(PciAddress.parse("03:00.1"), 1);
    for (int vmid : List.of(910, 911)) {
      guest(vmid, "mdev:\n  devices:\n    - { parent: \"0000:3b:00.0\", type: nvidia-234 }\n");
    }
    for (int vmid : List.of(912, 913)) {
      guest(
          vmid,
          "sriov-vf:\n  vfs:\n    - { pf: \"0000:03:00.1\", mac: \"52:54:00:5a:09:"
              + (vmid - 900)
              + "\" }\n");
    }
  }

  @Test
  void twoStartsRacingForTheLastMdevInstance() throws Exception {
    SimulatedHost.sandbox(root).faults().delayWrite("**/nvidia-234/create", 3000, 1);
    List<Cli.Result> results = race(910, 911);
    Cli.Result loser = oneWins(results);
    int winner = results.get(0) == loser ? 911 : 910;
    assertTrue(
        loser
            .out()
            .contains(
                "no available instances of nvidia-234 (GRID T4-16Q) on 0000:3b:00.0; in use: "
                    + "00001000-0000-0000-0000-000000000"
                    + winner
                    + " nvidia-234 (VM "
                    + winner
                    + " (guesthook mdev 0))"),
        loser::toString);
    assertEquals(
        1, Files.list(root.resolve("sys/bus/mdev/devices")).count(), "one instance, the winner's");
    leftNothing(results.get(0) == loser ? 910 : 911);
  }

  @Test
  void twoStartsRacingForTheLastFreeVf() throws Exception {
    SimulatedHost.sandbox(root).faults().delayWrite("/sys/bus/pci/drivers_probe", 3000, 1);
    List<Cli.Result> results = race(912, 913);
    Cli.Result loser = oneWins(results);
    // The loser finds no free VF when it plans (the winner holds it) or, if it planned first, when
    // it claims.
    assertTrue(
        loser.out().contains("0000:03:00.1 has 0 free VF(s), 1 asked for")
            || loser
                .out()
                .contains(
                    "no free VF on 0000:03:00.1: all 1 are bound to vfio-pci or held by another guest"),
        loser::toString);
    assertEquals(
        "vfio-pci",
        Files.readSymbolicLink(root.resolve("sys/bus/pci/devices/0000:03:0a.0/driver"))
            .getFileName()
            .toString());
    leftNothing(results.get(0) == loser ? 912 : 913);
  }

  private List<Cli.Result> race(int a, int b) throws Exception {
    OneShot first = start(a);
    OneShot second = start(b);
    return List.of(first.await(), second.await());
  }

  private static Cli.Result oneWins(List<Cli.Result> results) {
    long winners = results.stream().filter(r -> r.exitCode() == 0).count();
    assertEquals(1, winners, () -> "exactly one start wins:\n" + results);
    Cli.Result loser = results.stream().filter(r -> r.exitCode() != 0).findFirst().orElseThrow();
    assertEquals(1, loser.exitCode(), loser::toString);
    return loser;
  }

  private void leftNothing(int loser) {
    assertTrue(
        Files.notExists(root.resolve("var/lib/guesthook/journal/" + loser + ".jsonl")),
        "the loser holds nothing");
    assertTrue(
        Files.notExists(root.resolve("run/guesthook/state/" + loser)), "the loser saved nothing");
  }

  private OneShot start(int vmid) throws Exception {
    return OneShot.start(
        List.of(
            "--root",
            root.toString(),
            "--simulate",
            "--hooks",
            STOCK.toString(),
            Integer.toString(vmid),
            "pre-start"));
  }

  private void guest(int vmid, String settings) throws Exception {
    Files.writeString(
        root.resolve("etc/pve/qemu-server/" + vmid + ".conf"),
        "name: racer-" + vmid + "\nmemory: 2048\n");
    Files.writeString(root.resolve("etc/pve/guesthook/" + vmid + ".yaml"), settings);
  }
}
