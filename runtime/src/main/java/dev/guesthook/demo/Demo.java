package dev.guesthook.demo;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.app.NodeRuntime;
import dev.guesthook.config.Settings;
import dev.guesthook.core.event.Phase;
import dev.guesthook.engine.Engine;
import dev.guesthook.engine.PhaseListener;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.Pve;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Plays Proxmox on a simulated host: for each example VM, the phases Proxmox would run, in the
 * order it runs them, including what Proxmox itself changes between phases (dropping vmstate on
 * resume, writing it on hibernation). The hooks act on the simulator, so nothing on this machine
 * changes.
 */
public final class Demo {

  /** Receives what the demo does, step by step. */
  public interface Timeline extends PhaseListener {
    void narrate(String line);

    void phaseDone(Engine.Run run);
  }

  private final Vertx vertx;
  private final Engine engine;
  private final SimulatedHost host;

  public Demo(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.host = SimulatedHost.sandbox(settings.root());
    this.engine = NodeRuntime.over(vertx, settings, host).engine();
  }

  /** Compiled demo hooks are kept per user, never in the example tree. */
  public static Path cacheDirectory() {
    return cacheDirectory(System.getenv());
  }

  /**
   * The user's hook cache, {@code $XDG_CACHE_HOME/guesthook/hooks} or {@code
   * ~/.cache/guesthook/hooks}.
   */
  public static Path cacheDirectory(Map<String, String> environment) {
    String xdg = environment.get("XDG_CACHE_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("guesthook").resolve("hooks");
  }

  /** Runs every VM's lifecycle; completes with the number of phases whose hooks failed. */
  public Future<Integer> run(Timeline timeline) {
    return vertx
        .executeBlocking(this::guests, false)
        .compose(
            guests -> {
              timeline.narrate("guesthook demo: " + guests.size() + " VMs on " + host.describe());
              Future<Integer> chain = Future.succeededFuture(0);
              for (VmId vmid : guests) {
                chain =
                    chain.compose(
                        failures -> lifecycle(vmid, timeline).map(more -> failures + more));
              }
              return chain;
            });
  }

  private List<VmId> guests() {
    return new Pve(host).qemuGuests();
  }

  private Future<Integer> lifecycle(VmId vmid, Timeline timeline) {
    return vertx
        .executeBlocking(() -> new Pve(host).config(vmid), false)
        .compose(
            config -> {
              Scenario scenario = Scenario.of(config);
              timeline.narrate("");
              timeline.narrate("== VM " + vmid + ": " + scenario.story + describe(config));
              return steps(vmid, scenario, timeline);
            });
  }

  private Future<Integer> steps(VmId vmid, Scenario scenario, Timeline timeline) {
    Future<Integer> chain = Future.succeededFuture(0);
    for (Step step : scenario.steps) {
      chain =
          chain.compose(
              failures -> {
                if (failures > 0 && step.afterStart) {
                  return Future.succeededFuture(failures);
                }
                return vertx
                    .executeBlocking(() -> step.proxmoxActs(host, vmid, timeline), false)
                    .compose(
                        ready ->
                            vertx.executeBlocking(
                                () -> proxmoxDevices(step.phase, vmid, timeline), false))
                    .compose(ready -> engine.run(vmid, step.phase, scenario.migratedFrom, timeline))
                    .map(
                        run -> {
                          timeline.phaseDone(run);
                          boolean aborted = ExitCodes.ofPhase(run.result(), false) != ExitCodes.OK;
                          if (aborted) {
                            timeline.narrate(
                                "   Proxmox aborts the start of VM "
                                    + vmid
                                    + "; the host is as it was.");
                          }
                          return failures + (run.result().anyFailed() ? 1 : 0);
                        });
              });
    }
    return chain;
  }

  /**
   * Proxmox makes a VM's hostpci mdevs between pre-start and post-start, and clears them before
   * post-stop.
   */
  private boolean proxmoxDevices(Phase phase, VmId vmid, Timeline timeline) throws Exception {
    ProxmoxDevices proxmox = new ProxmoxDevices(host, timeline::narrate);
    if (phase == Phase.POST_START) {
      proxmox.start(vmid, new Pve(host).config(vmid));
    } else if (phase == Phase.POST_STOP) {
      proxmox.stop(vmid, new Pve(host).config(vmid));
    }
    return true;
  }

  private static String describe(VmConfig config) {
    List<String> devices =
        config.current().entrySet().stream()
            .filter(e -> e.getKey().startsWith("hostpci"))
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.toList());
    return devices.isEmpty() ? "" : " (" + String.join(", ", devices) + ")";
  }

  /** One phase, and what Proxmox changes in the guest's config just before it. */
  private record Step(Phase phase, boolean afterStart, ConfigEdit edit, String narration) {
    boolean proxmoxActs(SimulatedHost host, VmId vmid, Timeline timeline) throws Exception {
      if (edit != null) {
        timeline.narrate("   [proxmox] " + narration);
        HostPath path = Pve.configPath(GuestType.QEMU, vmid);
        host.tree().write(path, edit.apply(host, vmid, host.read(path)));
      }
      return true;
    }
  }

  @FunctionalInterface
  private interface ConfigEdit {
    String apply(SimulatedHost host, VmId vmid, String configText) throws PveFileException;
  }

  /** What Proxmox does with a VM, chosen from its example config. */
  private record Scenario(String story, List<Step> steps, Optional<String> migratedFrom) {
    static Scenario of(VmConfig config) {
      String tags = config.get("tags").orElse("");
      List<Step> steps = new ArrayList<>();
      if (config.isHibernated()) {
        steps.add(new Step(Phase.PRE_START, false, null, null));
        steps.add(
            new Step(
                Phase.POST_START,
                true,
                (host, vmid, text) -> ProxmoxConfigEdits.resumed(text),
                "resumed from the saved state; removes vmstate and the suspended lock"));
        steps.add(new Step(Phase.PRE_STOP, true, null, null));
        steps.add(new Step(Phase.POST_STOP, true, null, null));
        return new Scenario("resume from hibernation, then stop", steps, Optional.empty());
      }
      steps.add(new Step(Phase.PRE_START, false, null, null));
      if (tags.contains("start-fails-once")) {
        // qemu-server runs no post-stop when QEMU fails after pre-start; the next pre-start puts
        // back first.
        steps.add(
            new Step(
                Phase.PRE_START,
                true,
                (host, vmid, text) -> text,
                "QEMU fails to start (its vfio device is busy): the start fails and Proxmox runs no post-stop;"
                    + " the admin starts the VM again"));
      }
      steps.add(new Step(Phase.POST_START, true, null, null));
      if (tags.contains("hibernate")) {
        steps.add(
            new Step(
                Phase.POST_STOP,
                true,
                ProxmoxConfigEdits::hibernated,
                "qm suspend --todisk: saves the state where find_vmstate_storage says, sets lock: suspended,"
                    + " QEMU quits (no pre-stop)"));
        steps.add(new Step(Phase.PRE_START, true, null, null));
        steps.add(
            new Step(
                Phase.POST_START,
                true,
                (host, vmid, text) -> ProxmoxConfigEdits.resumed(text),
                "qm start: resumed from the saved state; removes vmstate and the suspended lock"));
        steps.add(new Step(Phase.PRE_STOP, true, null, null));
        steps.add(new Step(Phase.POST_STOP, true, null, null));
        return new Scenario("start, hibernate, resume, stop", steps, Optional.empty());
      }
      steps.add(new Step(Phase.PRE_STOP, true, null, null));
      steps.add(new Step(Phase.POST_STOP, true, null, null));
      if (tags.contains("migrate-in")) {
        return new Scenario(
            "arrives by live migration from pve2, then stop", steps, Optional.of("pve2"));
      }
      return tags.contains("start-fails-once")
          ? new Scenario(
              "a start that fails after pre-start, a second start, then stop",
              steps,
              Optional.empty())
          : new Scenario("start, then stop", steps, Optional.empty());
    }
  }
}
