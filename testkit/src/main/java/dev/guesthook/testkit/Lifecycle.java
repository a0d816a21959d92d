package dev.guesthook.testkit;

import dev.guesthook.config.SettingsLoader;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.event.Phase;
import dev.guesthook.demo.ProxmoxConfigEdits;
import dev.guesthook.engine.Engine;
import dev.guesthook.engine.PhaseListener;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.VmId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A VM's lifecycle on a sandbox, phase by phase, through the real engine on the test's Vert.x:
 * {@code Lifecycle.of(402).on(sandbox).hooks(stock, mine).preStart().postStop().run(vertx)}.
 * Between phases it does what Proxmox does to the config for {@link #hibernate()} and {@link
 * #resume()}.
 */
public final class Lifecycle {
  private final VmId vmid;
  private Path root;
  private final List<Path> hookDirs = new ArrayList<>();
  private final List<Step> steps = new ArrayList<>();

  private record Step(Phase phase, String configEdit) {}

  private Lifecycle(VmId vmid) {
    this.vmid = vmid;
  }

  public static Lifecycle of(int vmid) {
    return new Lifecycle(new VmId(vmid));
  }

  /**
   * The sandbox (made by {@code guesthook sandbox create} or {@code Sandbox.create}) the VM lives
   * on.
   */
  public Lifecycle on(Path sandboxRoot) {
    this.root = sandboxRoot;
    return this;
  }

  public Lifecycle hooks(Path... dirs) {
    hookDirs.addAll(List.of(dirs));
    return this;
  }

  public Lifecycle preStart() {
    return step(Phase.PRE_START, null);
  }

  public Lifecycle postStart() {
    return step(Phase.POST_START, null);
  }

  public Lifecycle preStop() {
    return step(Phase.PRE_STOP, null);
  }

  public Lifecycle postStop() {
    return step(Phase.POST_STOP, null);
  }

  /** {@code qm suspend --todisk}: the state saved, the config locked, QEMU gone: post-stop. */
  public Lifecycle hibernate() {
    return step(Phase.POST_STOP, "hibernate");
  }

  /**
   * {@code qm start} of a hibernated VM: pre-start (resume), then post-start after the state is
   * dropped.
   */
  public Lifecycle resume() {
    step(Phase.PRE_START, null);
    return step(Phase.POST_START, "resume");
  }

  private Lifecycle step(Phase phase, String edit) {
    steps.add(new Step(phase, edit));
    return this;
  }

  /**
   * What each phase came to, in order, and every line guesthook printed for the task log (its own,
   * such as what a reconcile put back, and the hooks'). A phase after a failed pre-start is not
   * run, as in Proxmox.
   */
  public record Outcome(List<DispatchResult> phases, List<String> lines) {
    public DispatchResult last() {
      return phases.get(phases.size() - 1);
    }

    public boolean startAborted() {
      return phases.stream()
          .anyMatch(r -> r.event().phase() == Phase.PRE_START && r.exitCode(false) != 0);
    }
  }

  public Future<Outcome> run(Vertx vertx) {
    JsonObject flags =
        new JsonObject()
            .put("root", root.toString())
            .put("simulate", true)
            .put("hook-dirs", new JsonArray(hookDirs.stream().map(Path::toString).toList()));
    return new SettingsLoader(hookDirs.isEmpty() ? root : hookDirs.get(0))
        .load(vertx, flags, Optional.empty(), Map.of())
        .compose(
            settings -> {
              Engine engine =
                  new Engine(vertx, settings, SimulatedHost.sandbox(root), Clock.systemUTC());
              List<String> lines = Collections.synchronizedList(new ArrayList<>());
              PhaseListener listener = printedTo(lines);
              Future<List<DispatchResult>> chain = Future.succeededFuture(new ArrayList<>());
              for (Step step : steps) {
                chain =
                    chain.compose(
                        done -> {
                          if (done.stream()
                              .anyMatch(
                                  r ->
                                      r.event().phase() == Phase.PRE_START
                                          && r.exitCode(false) != 0)) {
                            return Future.succeededFuture(done);
                          }
                          return vertx
                              .executeBlocking(() -> edit(step.configEdit()), false)
                              .compose(
                                  x -> engine.run(vmid, step.phase(), Optional.empty(), listener))
                              .map(
                                  run -> {
                                    done.add(run.result());
                                    return done;
                                  });
                        });
              }
              return chain.map(phases -> new Outcome(phases, List.copyOf(lines)));
            });
  }

  private boolean edit(String what) throws dev.guesthook.pve.PveFileException {
    if (what == null) {
      return true;
    }
    Path conf = root.resolve("etc/pve/qemu-server/" + vmid + ".conf");
    try {
      String text = Files.readString(conf);
      Files.writeString(
          conf,
          what.equals("hibernate")
              ? ProxmoxConfigEdits.hibernated(SimulatedHost.sandbox(root), vmid, text)
              : ProxmoxConfigEdits.resumed(text));
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PhaseListener printedTo(List<String> lines) {
    return new PhaseListener() {
      @Override
      public void started(LifecycleEvent event, int hooks) {}

      @Override
      public void line(String line) {
        lines.add(line);
      }
    };
  }
}
