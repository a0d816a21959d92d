package dev.guesthook.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.HostCommand;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.sandbox.SandboxProfile;
import dev.guesthook.testsupport.ChildJvm;
import dev.guesthook.testsupport.SandboxCopies;
import dev.guesthook.testsupport.SandboxInvariants;
import dev.guesthook.testsupport.SandboxSnapshot;
import dev.guesthook.testsupport.TwoLanes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated kernel killed (as by kill -9) at every point inside its stores, where a kill of the
 * simulator lands but never one of a real kernel: once the sandbox is opened again, it shows a
 * state Linux could show, so crash tests measure guesthook, not the simulator.
 */
class SimulatorCrashTest {
  private static final String GVT_CREATE =
      "/sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create";
  private static final String VF = "0000:03:0a.0";

  @TempDir Path work;

  @Test
  void killedAtEveryPointOfAnMdevCreateTheReopenedSandboxIsOneLinuxCouldShow() throws Exception {
    killAtEveryPoint(SandboxProfile.GVT_G, "mdev-create", 10);
  }

  @Test
  void killedAtEveryPointOfAVfEnableAndBindTheReopenedSandboxIsOneLinuxCouldShow()
      throws Exception {
    killAtEveryPoint(SandboxProfile.SRIOV_NIC, "vf-enable-bind", 30);
  }

  @Test
  void anMdevCreateFailingAtAnyPointInsideItsStoreLeavesTheSandboxAsBefore() throws Exception {
    failAtEveryPoint(SandboxProfile.GVT_G, "mdev-create", 10);
  }

  @Test
  void aVfEnableAndBindFailingAtAnyPointInsideAStoreLeavesTheSandboxAsBeforeThatStore()
      throws Exception {
    failAtEveryPoint(SandboxProfile.SRIOV_NIC, "vf-enable-bind", 30);
  }

  /**
   * A store that throws part-way (its own files failing, as under a file-size limit) fails whole:
   * the write reports the error, and the sandbox is byte for byte as it was before that store.
   */
  private void failAtEveryPoint(SandboxProfile profile, String scenario, int atLeast) {
    SandboxCopies copies = new SandboxCopies(work);
    List<String> keptPart = new ArrayList<>();
    int tried = 0;
    for (int step = 1; ; step++) {
      Path root = copies.fresh(profile);
      SimulatedHost host = SimulatedHost.sandbox(root);
      host.faults().failInStoreAtStep(step);
      Optional<List<String>> leftBehind = runUntilAStoreFails(root, host, scenario);
      if (leftBehind.isEmpty()) {
        break;
      }
      tried++;
      if (!leftBehind.get().isEmpty()) {
        keptPart.add(
            "step "
                + step
                + ": "
                + leftBehind.get().size()
                + " paths, first "
                + leftBehind.get().get(0));
      }
    }
    System.out.println(
        scenario
            + ": "
            + tried
            + " store failure points tried, "
            + (tried - keptPart.size())
            + " taken back whole");
    assertTrue(
        tried >= atLeast,
        scenario + " has more than " + atLeast + " points inside its stores; failed at " + tried);
    assertEquals(
        List.of(), keptPart, scenario + ": stores that failed but kept part of what they did");
  }

  /**
   * Runs the scenario until a store fails: what that store left behind, or empty when none failed.
   */
  private static Optional<List<String>> runUntilAStoreFails(
      Path root, SimulatedHost host, String scenario) {
    for (Consumer<SimulatedHost> change : Scenario.changes(scenario)) {
      SandboxSnapshot before = SandboxSnapshot.of(root);
      try {
        change.accept(host);
      } catch (HostException e) {
        assertEquals("EIO", e.errno(), e.getMessage());
        List<String> leftBehind = new ArrayList<>(SandboxSnapshot.of(root).differencesFrom(before));
        leftBehind.addAll(SandboxInvariants.of(root));
        return Optional.of(leftBehind);
      }
    }
    return Optional.empty();
  }

  private void killAtEveryPoint(SandboxProfile profile, String scenario, int atLeast)
      throws Exception {
    SandboxCopies copies = new SandboxCopies(work);
    List<String> inconsistent = Collections.synchronizedList(new ArrayList<>());
    // Odd steps and even steps at once, each on fresh copies: every step is a process of its
    // own, and two cores run two.
    int tried =
        TwoLanes.sum(
            () -> killsFrom(copies, profile, scenario, 1, inconsistent),
            () -> killsFrom(copies, profile, scenario, 2, inconsistent));
    System.out.println(
        scenario
            + ": "
            + tried
            + " kill points tried, "
            + (tried - inconsistent.size())
            + " consistent");
    assertTrue(
        tried >= atLeast,
        scenario + " has more than " + atLeast + " points inside its stores; killed at " + tried);
    assertEquals(List.of(), inconsistent, scenario + ": states no kernel shows");
  }

  /**
   * Kills the scenario at every other step from {@code first}, each on a fresh copy, noting states
   * no kernel shows in {@code inconsistent}; how many steps it killed, until the scenario
   * completes.
   */
  private static int killsFrom(
      SandboxCopies copies,
      SandboxProfile profile,
      String scenario,
      int first,
      List<String> inconsistent)
      throws Exception {
    int tried = 0;
    for (int step = first; ; step += 2) {
      Path root = copies.fresh(profile);
      SimulatedHost.sandbox(root).faults().crashInStoreAtStep(step);
      int exit = runInChild(root, scenario);
      if (exit == 0) {
        assertEquals(
            List.of(), SandboxInvariants.of(root), "the " + scenario + " that was not killed");
        return tried;
      }
      assertEquals(137, exit, "step " + step + " of " + scenario);
      tried++;
      SimulatedHost.sandbox(root); // opened again, as the next guesthook process opens it
      List<String> violations = SandboxInvariants.of(root);
      if (!violations.isEmpty()) {
        inconsistent.add("step " + step + ": " + violations);
      }
    }
  }

  private static int runInChild(Path root, String scenario) throws Exception {
    List<String> argv = new ArrayList<>(ChildJvm.command(Scenario.class.getName()));
    argv.addAll(List.of(root.toString(), scenario));
    Process child = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child ended");
    assertTrue(
        child.exitValue() == 0 || child.exitValue() == 137,
        "it failed otherwise than killed: " + out);
    return child.exitValue();
  }

  /**
   * The host changes guesthook makes for an mdev slice, or for a VF handed to vfio-pci, in a
   * process of their own.
   */
  static final class Scenario {
    public static void main(String[] args) {
      SimulatedHost host = SimulatedHost.sandbox(Path.of(args[0]));
      changes(args[1]).forEach(change -> change.accept(host));
      if (args[1].equals("vf-enable-bind")) {
        String driver =
            host.readLink(HostPath.parse("/sys/bus/pci/devices/" + VF + "/driver"))
                .orElseThrow()
                .name();
        if (!driver.equals("vfio-pci")) {
          throw new IllegalStateException("the VF went to " + driver);
        }
      }
    }

    static List<Consumer<SimulatedHost>> changes(String scenario) {
      if (scenario.equals("mdev-create")) {
        return List.of(
            host ->
                host.write(HostPath.parse(GVT_CREATE), "00001000-0000-0000-0000-000000000777\n"));
      }
      return List.of(
          host ->
              host.write(HostPath.parse("/sys/bus/pci/devices/0000:03:00.1/sriov_numvfs"), "2\n"),
          host -> host.run(HostCommand.of("modprobe", "vfio-pci")),
          host ->
              host.write(
                  HostPath.parse("/sys/bus/pci/devices/" + VF + "/driver_override"), "vfio-pci\n"),
          host -> host.write(HostPath.parse("/sys/bus/pci/drivers/iavf/unbind"), VF + "\n"),
          host -> host.write(HostPath.parse("/sys/bus/pci/drivers_probe"), VF + "\n"));
    }
  }
}
