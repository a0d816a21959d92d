package dev.guesthook.testkit;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import dev.guesthook.cli.TaskLog;
import dev.guesthook.config.SettingsLoader;
import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.core.dispatch.HookOutcome;
import dev.guesthook.core.event.Phase;
import dev.guesthook.demo.ProxmoxConfigEdits;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.SandboxMarker;
import dev.guesthook.host.sim.Faults;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.yaml.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.opentest4j.AssertionFailedError;

/**
 * A VM's lifecycle on a sandbox, phase by phase, through the real engine on the test's Vert.x:
 * {@code Lifecycle.of(402).on(sandbox).hooks(Hooks.stock(),
 * mine).preStart().postStop().run(vertx)}. Between phases it does what Proxmox does to the config
 * for {@link #hibernate()} and {@link #resume()}. Before the first phase it writes the hooks'
 * {@link #settings settings} into the guest's own settings file and sets up the {@link #failWrite
 * faults} to inject, so both are met exactly as on a node. A hook that fails (by throwing) fails
 * its phase: see {@link Outcome#startAborted()} and the phase's exit code.
 */
public final class Lifecycle {
  private final VmId vmid;
  private Path root;
  private final List<Path> hookDirs = new ArrayList<>();
  private final List<Step> steps = new ArrayList<>();
  private final Map<String, Map<String, ?>> settings = new LinkedHashMap<>();
  private final List<Consumer<Faults>> faults = new ArrayList<>();

  private record Step(Phase phase, String configEdit) {}

  private Lifecycle(VmId vmid) {
    this.vmid = vmid;
  }

  /**
   * The lifecycle of the guest {@code vmid}, which must have a config in the sandbox ({@code
   * etc/pve/qemu-server/<vmid>.conf}).
   *
   * @param vmid the guest's id
   * @return a lifecycle with no phase yet
   */
  public static Lifecycle of(int vmid) {
    return new Lifecycle(new VmId(vmid));
  }

  /**
   * The sandbox the VM lives on, made by {@code Sandbox.create(root, SandboxProfile.MIXED)} or
   * {@code guesthook sandbox create DIR}.
   *
   * @param sandboxRoot the sandbox's folder
   * @return this lifecycle, to add more
   * @throws IllegalArgumentException when {@code sandboxRoot} is not a sandbox, saying how to make
   *     one (the simulated kernel acts on nothing else)
   */
  public Lifecycle on(Path sandboxRoot) {
    if (!SandboxMarker.isSandbox(sandboxRoot)) {
      throw new IllegalArgumentException(
          sandboxRoot
              + " is not a sandbox (it has no "
              + SandboxMarker.PATH
              + "): make one with Sandbox.create(root, SandboxProfile.MIXED) in the test, or"
              + " guesthook sandbox create DIR --profile mixed");
    }
    this.root = sandboxRoot;
    return this;
  }

  /**
   * The hook folders to load, in order; without this call, the stock hooks ({@link Hooks#stock()}).
   * Give them too when you add your own: {@code hooks(Hooks.stock(), mine)}.
   *
   * @param dirs hook folders, e.g. {@code Hooks.stock()} and your own
   * @return this lifecycle, to add more
   */
  public Lifecycle hooks(Path... dirs) {
    hookDirs.addAll(List.of(dirs));
    return this;
  }

  /**
   * The settings of {@code hook} for this guest, written into its own settings file in the sandbox
   * ({@code etc/pve/guesthook/<vmid>.yaml}) before the first phase, replacing the hook's entry
   * there and keeping the others. They are checked as on a node: one the hook does not declare
   * fails the phase (exit 2) with the file, line and fix. Values keep their types: {@code
   * settings("cpu-governor", Map.of("cpus", List.of(2, 3), "governor", "performance"))}.
   *
   * @param hook the hook's name, as in {@code hook('name')}
   * @param values its settings: {@code String}, {@code Boolean}, {@code Integer}, {@code Long},
   *     {@code Short}, {@code Byte}, {@code BigInteger}, {@code Double}, {@code Float}, and {@code
   *     List}s and {@code Map}s with {@code String} keys of them, nested
   * @return this lifecycle, to add more
   * @throws IllegalArgumentException for any other value (a date, a {@code BigDecimal}, a file,
   *     null), or a string with a NUL or a lone surrogate, naming the hook, the key path and the
   *     problem
   */
  public Lifecycle settings(String hook, Map<String, ?> values) {
    SettingsValues.check(hook, values);
    settings.put(hook, values);
    return this;
  }

  /**
   * The next write to a host path matching {@code glob} ({@code *} within a name, {@code **}
   * across) fails with {@code errno}: {@code failWrite("/sys/**\/sriov_numvfs", "EBUSY")}.
   *
   * @param glob host paths to fail writes to
   * @param errno the error, e.g. {@code EBUSY}, {@code EIO}, {@code ENOSPC}
   * @return this lifecycle, to add more
   * @throws IllegalArgumentException at once for an errno the simulator does not know, naming those
   *     it does, or a glob that is not an absolute host path
   */
  public Lifecycle failWrite(String glob, String errno) {
    return failWrite(glob, errno, 1);
  }

  /**
   * The next {@code times} writes to a host path matching {@code glob} fail with {@code errno}.
   *
   * @param glob host paths to fail writes to
   * @param errno the error, e.g. {@code EBUSY}
   * @param times how many writes fail, at least 1
   * @return this lifecycle, to add more
   * @throws IllegalArgumentException at once for an errno the simulator does not know (or none), a
   *     glob that is not an absolute host path, or {@code times} below 1: a fault that would never
   *     fire
   */
  public Lifecycle failWrite(String glob, String errno, int times) {
    hostGlob(glob);
    atLeastOnce(times);
    if (errno == null) {
      throw new IllegalArgumentException("errno: give one, e.g. EBUSY, EIO or ENOSPC");
    }
    Faults.requireKnownErrno(errno);
    faults.add(f -> f.failWrite(glob, errno, times));
    return this;
  }

  /**
   * The next command whose arguments start with {@code commandPrefix} (words separated by spaces,
   * e.g. {@code "ip link set"}) exits {@code exitCode} printing {@code output}, without running.
   *
   * @param commandPrefix the command's first words
   * @param exitCode what it exits with
   * @param output what it prints
   * @return this lifecycle, to add more
   * @throws IllegalArgumentException for an empty prefix, which names no command
   */
  public Lifecycle failCommand(String commandPrefix, int exitCode, String output) {
    if (commandPrefix == null || commandPrefix.isBlank()) {
      throw new IllegalArgumentException(
          "'" + commandPrefix + "': give the command's first words, e.g. \"ip link set\"");
    }
    faults.add(f -> f.failCommand(commandPrefix, exitCode, output));
    return this;
  }

  /**
   * The next {@code times} writes to a host path matching {@code glob} take {@code millis} longer:
   * a slow device.
   *
   * @param glob host paths whose writes are slow
   * @param millis how much longer each takes, 0 or more
   * @param times how many writes are slow, at least 1
   * @return this lifecycle, to add more
   * @throws IllegalArgumentException for a glob that is not an absolute host path, negative {@code
   *     millis} or {@code times} below 1
   */
  public Lifecycle delayWrite(String glob, int millis, int times) {
    hostGlob(glob);
    atLeastOnce(times);
    if (millis < 0) {
      throw new IllegalArgumentException("millis " + millis + ": give 0 or more");
    }
    faults.add(f -> f.delayWrite(glob, millis, times));
    return this;
  }

  /** A fault's glob names host paths as a hook writes them: anything else never matches. */
  private static void hostGlob(String glob) {
    if (glob == null || !glob.startsWith("/")) {
      throw new IllegalArgumentException(
          "'"
              + glob
              + "': give the glob as an absolute host path, as a hook writes it"
              + " (/sys/bus/pci/devices/*/sriov_numvfs); this one would never match");
    }
  }

  private static void atLeastOnce(int times) {
    if (times < 1) {
      throw new IllegalArgumentException("times " + times + ": a fault fires at least once");
    }
  }

  /**
   * Adds a pre-start phase.
   *
   * @return this lifecycle, to add more
   */
  public Lifecycle preStart() {
    return step(Phase.PRE_START, null);
  }

  /**
   * Adds a post-start phase.
   *
   * @return this lifecycle, to add more
   */
  public Lifecycle postStart() {
    return step(Phase.POST_START, null);
  }

  /**
   * Adds a pre-stop phase.
   *
   * @return this lifecycle, to add more
   */
  public Lifecycle preStop() {
    return step(Phase.PRE_STOP, null);
  }

  /**
   * Adds a post-stop phase.
   *
   * @return this lifecycle, to add more
   */
  public Lifecycle postStop() {
    return step(Phase.POST_STOP, null);
  }

  /**
   * {@code qm suspend --todisk}: the state saved, the config locked, QEMU gone: post-stop.
   *
   * @return this lifecycle, to add more
   */
  public Lifecycle hibernate() {
    return step(Phase.POST_STOP, "hibernate");
  }

  /**
   * {@code qm start} of a hibernated VM: pre-start (resume), then post-start after the state is
   * dropped.
   *
   * @return this lifecycle, to add more
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
   * What each phase came to, in order, and every line guesthook printed for the task log, as {@code
   * guesthook <vmid> <phase>} prints it: for each phase its header, the hooks' lines and its own
   * (such as what a reconcile put back), each hook's {@code ok}, {@code skipped} or {@code FAILED}
   * line with its message, and the phase's summary; for a refused phase, {@code guesthook: error:}
   * and the refusal. A phase after a failed pre-start is not run, as in Proxmox. To see why a test
   * failed: {@code assertTrue(outcome.exitCode() == 0, () -> String.join("\n", outcome.lines()))}.
   *
   * @param phases each phase whose hooks ran, in order: its hooks' outcomes and interactions
   * @param lines what guesthook printed for the task log, in order
   * @param refusal the phase refused before its hooks ran, if one was: the last one tried
   */
  public record Outcome(
      List<DispatchResult> phases, List<String> lines, Optional<Refusal> refusal) {
    /**
     * The last phase whose hooks ran.
     *
     * @return its result: the hooks' outcomes, messages and interactions
     */
    public DispatchResult last() {
      return phases.get(phases.size() - 1);
    }

    /**
     * Each hook that failed (threw, or timed out), in every phase that ran, in order: {@code "hook:
     * message"}. A phase refused before its hooks ran is in {@link #refusal()} instead.
     *
     * @return one line per failed hook, empty when none failed
     */
    public List<String> failures() {
      return phases.stream()
          .flatMap(phase -> phase.hooks().stream())
          .filter(HookOutcome::failed)
          .map(hook -> hook.hook() + ": " + hook.message())
          .toList();
    }

    /**
     * What guesthook would exit with for the last phase that ran, as Proxmox sees it: 2 when it was
     * refused before any hook ran (a setting the hook does not declare, a broken settings file),
     * else the phase's own code (1 for a failed pre-start, 0 otherwise).
     *
     * @return 0, 1 or 2
     */
    public int exitCode() {
      return refusal.isPresent() ? 2 : last().exitCode(false);
    }

    /**
     * Whether a pre-start failed or was refused, so that Proxmox would not start the VM.
     *
     * @return true when the VM would not have started
     */
    public boolean startAborted() {
      return refusal.filter(r -> r.phase() == Phase.PRE_START).isPresent()
          || phases.stream().anyMatch(Lifecycle::failedPreStart);
    }
  }

  /**
   * A phase guesthook refused before running any hook (exit 2): the phases after it are not run.
   *
   * @param phase the phase refused
   * @param message why, as the task log shows it: the settings file, line and column, and the fix
   */
  public record Refusal(Phase phase, String message) {}

  /** How long {@link #run()} waits for the phases: far above a hook's own timeout. */
  static final Duration RUN_LIMIT = Duration.ofMinutes(2);

  /**
   * Runs the phases, in order, on a Vert.x of its own, and waits for them: the plain way for a test
   * that needs no Vert.x of its own, {@code Outcome outcome =
   * Lifecycle.of(402).on(root).preStart().run();}. The same as {@link #run(Vertx)} otherwise.
   *
   * @return what the phases came to
   * @throws AssertionFailedError when the phases take longer than two minutes
   * @throws IllegalStateException as {@link #run(Vertx)}
   */
  public Outcome run() {
    Vertx vertx = Vertx.vertx();
    try {
      return await(run(vertx), RUN_LIMIT);
    } finally {
      await(vertx.close(), Duration.ofSeconds(10));
    }
  }

  private static <T> T await(Future<T> future, Duration limit) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(limit.toMillis(), MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionFailedError(
          "the lifecycle did not end within " + limit.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException unchecked
          ? unchecked
          : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the lifecycle ran", e);
    }
  }

  /**
   * Runs the phases, in order, on {@code vertx}. A phase that fails or is refused is an outcome,
   * not a failed future: check {@link Outcome#exitCode()}. A phase after a failed or refused
   * pre-start is not run, as in Proxmox.
   *
   * @param vertx the test's Vert.x (vertx-junit5 gives one)
   * @return what the phases came to
   * @throws IllegalStateException when {@link #on} was not called, or no hook folder was given and
   *     the stock hooks are not on the classpath
   */
  public Future<Outcome> run(Vertx vertx) {
    if (root == null) {
      throw new IllegalStateException("no sandbox: call on(root) first");
    }
    List<Path> dirs = hookDirs.isEmpty() ? List.of(Hooks.stock()) : List.copyOf(hookDirs);
    JsonObject flags =
        new JsonObject()
            .put("root", root.toString())
            .put("simulate", true)
            .put("hook-dirs", new JsonArray(dirs.stream().map(Path::toString).toList()));
    return vertx
        .executeBlocking(this::prepareSandbox, false)
        .compose(
            x -> new SettingsLoader(dirs.get(0)).load(vertx, flags, Optional.empty(), Map.of()))
        .compose(
            settings ->
                runSteps(
                    vertx,
                    new Engine(vertx, settings, SimulatedHost.sandbox(root), Clock.systemUTC())));
  }

  /** A pre-start that failed: Proxmox does not start the VM, and no later phase runs. */
  private static boolean failedPreStart(DispatchResult phase) {
    return phase.event().phase() == Phase.PRE_START && phase.exitCode(false) != 0;
  }

  /** What the phases came to so far. */
  private static final class Progress {
    final List<DispatchResult> phases = new ArrayList<>();
    final List<String> lines = new ArrayList<>();
    Optional<Refusal> refusal = Optional.empty();

    boolean stopped() {
      return refusal.isPresent() || phases.stream().anyMatch(Lifecycle::failedPreStart);
    }

    Outcome outcome() {
      return new Outcome(List.copyOf(phases), List.copyOf(lines), refusal);
    }
  }

  private Future<Outcome> runSteps(Vertx vertx, Engine engine) {
    Progress progress = new Progress();
    Future<Progress> chain = Future.succeededFuture(progress);
    for (Step step : steps) {
      chain =
          chain.compose(
              done ->
                  done.stopped()
                      ? Future.succeededFuture(done)
                      : runStep(vertx, engine, step, done));
    }
    return chain.map(Progress::outcome);
  }

  private Future<Progress> runStep(Vertx vertx, Engine engine, Step step, Progress progress) {
    TaskLog taskLog = new TaskLog();
    return vertx
        .executeBlocking(() -> edit(step.configEdit()), false)
        .compose(x -> engine.run(vmid, step.phase(), Optional.empty(), taskLog))
        .map(
            run -> {
              taskLog.report(run.result());
              progress.lines.addAll(taskLog.lines());
              progress.phases.add(run.result());
              return progress;
            })
        .recover(
            failure -> {
              if (!(failure instanceof ConfigException)) {
                return Future.failedFuture(failure);
              }
              // As on a node: the message goes to the task log, and the phase exits 2.
              taskLog.refused(failure.getMessage());
              progress.lines.addAll(taskLog.lines());
              progress.refusal = Optional.of(new Refusal(step.phase(), failure.getMessage()));
              return Future.succeededFuture(progress);
            });
  }

  /** Writes the settings and sets up the faults given, before the first phase. */
  private boolean prepareSandbox() throws IOException {
    for (Map.Entry<String, Map<String, ?>> hook : settings.entrySet()) {
      GuestSettingsFile.put(root, vmid.value(), hook.getKey(), hook.getValue());
    }
    Faults sandboxFaults = Faults.ofSandbox(root).orElseThrow();
    faults.forEach(fault -> fault.accept(sandboxFaults));
    return true;
  }

  private boolean edit(String what) throws PveFileException {
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
}
