package dev.guesthook.cli;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.app.NodeRuntime;
import dev.guesthook.cluster.EventRing;
import dev.guesthook.cluster.NodeName;
import dev.guesthook.config.Settings;
import dev.guesthook.config.SettingsLoader;
import dev.guesthook.core.event.Phase;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.HostPort;
import dev.guesthook.id.Printable;
import dev.guesthook.id.VmId;
import dev.guesthook.metrics.NodeMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code guesthook <vmid> <phase>}: the hookscript Proxmox runs; and the admin's subcommands. */
@Command(
    name = "guesthook",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    usageHelpWidth = 100,
    description = {
      "Guest lifecycle hooks for Proxmox VE: runs every hook for a guest's phase, in order, with",
      "timeouts, and undoes a failed pre-start. Proxmox runs its client as the guest's hookscript;",
      "install writes the client to a storage that takes snippets and attaches it:",
      "",
      "  guesthook install --vm <vmid>      (qm set <vmid> --hookscript <storage>:snippets/guesthook)",
      ""
    },
    footer = {
      "",
      "Exit codes: 0 ok (failures after pre-start are only reported, unless --strict);",
      "  1 a pre-start hook failed: its changes were undone and Proxmox aborts the start;",
      "  2 bad arguments, configuration or guest config: nothing ran; 3 internal error.",
      "",
      "Examples:",
      "  guesthook 101 pre-start                    what Proxmox runs before VM 101 starts",
      "  guesthook --dry-run 101 pre-start          show what the hooks would change",
      "  guesthook --force 101 post-stop            by hand, even though VM 101's QEMU is running",
      "  guesthook hooks --vmid 101                 list the hooks VM 101 gets",
      "  guesthook demo                             every example VM's lifecycle on a built-in simulated host",
      "  guesthook check 101                        is this node ready for VM 101's devices?",
      "  guesthook events --vmid 101                what happened to VM 101, as recorded",
      "  guesthook replay FILE --hooks DIR          would changed hooks do the same?",
      "  guesthook new-hook my-hook                 start a hook of your own, with its test",
      "",
      "Hooks live in <home>/hooks/stock, /etc/guesthook/hooks.d and /etc/guesthook/hooks.d/<vmid>/."
    })
public final class Main implements Callable<Integer> {
  @Mixin GlobalOptions options = new GlobalOptions();

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "VMID",
      description = "The guest id (100..999999999).")
  String vmid;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "PHASE",
      description = "pre-start, post-start, pre-stop or post-stop.")
  String phase;

  @Option(
      names = "--force",
      description =
          "Run pre-start or post-stop even while the VM's QEMU is running (refused otherwise, exit 2):"
              + " they would take the devices a running VM holds. Proxmox never needs it.")
  boolean force;

  /**
   * How long a one-shot phase waits, at most, to hand its last journal entries to the relay before
   * it exits: a pipe write, unless journald is stuck, and then the entries are not worth a slower
   * start.
   */
  static final Duration JOURNAL_HANDOVER = Duration.ofMillis(200);

  Console console = Console.system();
  Map<String, String> environment = System.getenv();

  /** Groovy's runtime, being built beside the start of a hookscript call in its own process. */
  GroovyWarmup groovy = GroovyWarmup.NONE;

  public static void main(String[] args) {
    GroovyWarmup groovy = GroovyWarmup.NONE;
    if (isPhaseCall(args)) {
      // Netty registers its allocator's flight-recorder events when the JDK has a recorder: 27
      // classes of jdk.jfr and the recorder's listeners, on the way to the first phase line.
      System.setProperty("io.netty.jfr.enabled", "false");
      groovy = GroovyWarmup.start();
    }
    System.exit(run(args, Console.system(), System.getenv(), groovy));
  }

  /**
   * The admin's subcommands. They are added only when the command line is not a hookscript call:
   * every VM start waits for that call, and building the subcommands' models first costs it time
   * (picocli's classes are too old for the class-data archive). Lambdas, not constructor
   * references, so a subcommand's class is not even loaded before it is needed.
   */
  private static final List<Supplier<Object>> SUBCOMMANDS =
      List.of(
          () -> new HooksCommand(),
          () -> new DemoCommand(),
          () -> new SandboxCommand(),
          () -> new VmstateCommand(),
          () -> new CheckCommand(),
          () -> new RecordCommand(),
          () -> new EventsCommand(),
          () -> new ReplayCommand(),
          () -> new ServeCommand(),
          () -> new ReconcileCommand(),
          () -> new ClusterCommand(),
          () -> new WedgedCommand(),
          () -> new InstallCommand.Install(),
          () -> new InstallCommand.Uninstall(),
          () -> new DoctorCommand(),
          () -> new NewHookCommand());

  /**
   * {@code [options] <vmid> <phase>}, as Proxmox calls it; anything else gets the subcommands too.
   */
  static boolean isPhaseCall(String[] args) {
    int n = args.length;
    return n >= 2
        && args[n - 2].matches("[0-9]+")
        && Arrays.stream(Phase.values()).anyMatch(known -> known.wireName().equals(args[n - 1]))
        && Arrays.stream(args).noneMatch(arg -> arg.equals("-h") || arg.equals("--help"));
  }

  /** Runs the CLI in this process and returns the exit code (for tests and the launcher alike). */
  public static int run(String[] args, Console console, Map<String, String> environment) {
    return run(args, console, environment, GroovyWarmup.NONE);
  }

  private static int run(
      String[] args, Console console, Map<String, String> environment, GroovyWarmup groovy) {
    Main main = new Main();
    main.console = console;
    main.environment = environment;
    main.groovy = groovy;
    return isPlainPhaseCall(args)
        ? main.runPlainPhaseCall(args)
        : commandLine(main, args).execute(args);
  }

  /**
   * {@code <vmid> <phase>} and nothing else, the exact form Proxmox runs (settings come from
   * GUESTHOOK_* variables): a known phase after digits, which picocli can only read as the two
   * positional parameters.
   */
  static boolean isPlainPhaseCall(String[] args) {
    return args.length == 2 && isPhaseCall(args);
  }

  /**
   * The plain hookscript call without picocli: the fields it would set (PlainPhaseCallTest holds
   * them to picocli's, field by field), then the same {@link #call()} and the same answer to a
   * failure. From Main to the end of picocli's parse took 300-690 ms on a loaded 2-core machine
   * (now 26-150 ms to the same point): its 172 classes (class-file version 49, which the class-data
   * archive cannot hold, so they are read and verified at every start) and its reflection over the
   * annotations.
   */
  int runPlainPhaseCall(String[] args) {
    takePositionals(args);
    try {
      return call();
    } catch (Exception e) { // as picocli's execute: whatever the call throws, Errors aside
      return internalError(console, e);
    }
  }

  /** What picocli sets for a plain phase call: the two parameters, every option as it was. */
  void takePositionals(String[] args) {
    vmid = args[0];
    phase = args[1];
  }

  private static int internalError(Console console, Exception error) {
    console.error("internal error: " + error);
    return ExitCodes.INTERNAL;
  }

  /** The command line for {@code main}: the subcommands too, unless it is a hookscript call. */
  static CommandLine commandLine(Main main, String[] args) {
    Console console = main.console;
    CommandLine commandLine = new CommandLine(main);
    if (!isPhaseCall(args)) {
      SUBCOMMANDS.forEach(make -> commandLine.addSubcommand(make.get()));
      NewHookCommand.listOnlyTheOptionsItUses(commandLine.getSubcommands().get("new-hook"));
      // A hook author's folder is called hooks (new-hook makes it so): `--hooks hooks replay F`
      // was refused with "Expected parameter for option '--hooks' but found 'hooks'".
      commandLine.setAllowSubcommandsAsOptionParameters(true);
      commandLine.setUsageHelpWidth(
          100); // the subcommands' descriptions are written for 100 columns, as the main one
    }
    commandLine.setOut(new PrintWriter(console.out(), true));
    commandLine.setErr(new PrintWriter(console.err(), true));
    commandLine.setParameterExceptionHandler(
        (error, arguments) -> {
          console.error(error.getMessage() + " (see guesthook --help)");
          return ExitCodes.USAGE;
        });
    commandLine.setExecutionExceptionHandler((error, cmd, parsed) -> internalError(console, error));
    // picocli prints --version itself; under --json it is a document, as every other command's.
    commandLine.setExecutionStrategy(
        parsed ->
            parsed.isVersionHelpRequested() && main.options.json
                ? printVersionDocument(console)
                : new CommandLine.RunLast().execute(parsed));
    return commandLine;
  }

  private static int printVersionDocument(Console console) {
    console.out().println(Report.write(Version.build().json()));
    return ExitCodes.OK;
  }

  @Override
  public Integer call() {
    if (vmid == null) {
      console.error(
          "missing VMID and PHASE: Proxmox runs 'guesthook <vmid> <phase>' (see guesthook --help)");
      return ExitCodes.USAGE;
    }
    if (phase == null) {
      console.error(
          "missing PHASE after VMID "
              + Printable.of(vmid)
              + ": expected one of "
              + Phase.allNames());
      return ExitCodes.USAGE;
    }
    VmId id;
    Phase parsedPhase;
    Optional<String> migratedFrom;
    try {
      id = VmId.parse(vmid);
      parsedPhase = Phase.parse(phase);
      migratedFrom = migratedFrom(environment.get("PVE_MIGRATED_FROM"));
    } catch (IllegalArgumentException e) {
      console.error(e.getMessage());
      return ExitCodes.USAGE;
    }
    return withRuntime(runtime -> runPhase(runtime, id, parsedPhase, migratedFrom));
  }

  /**
   * Proxmox sets it to the source node on an incoming migration, and empty (or not at all)
   * otherwise.
   */
  static Optional<String> migratedFrom(String value) {
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    // pve-common's pve-node format, as the cluster's readers check it: a source they would drop
    // as no node name is refused here too, not recorded.
    if (!NodeName.isValid(value)) {
      throw new IllegalArgumentException(
          "invalid PVE_MIGRATED_FROM '" + Printable.of(value) + "': not a node name");
    }
    return Optional.of(value);
  }

  /**
   * The hookscript call: the phase's lines on stdout (on stderr under --json, which prints the
   * document).
   */
  private Future<Integer> runPhase(
      NodeRuntime runtime, VmId id, Phase parsedPhase, Optional<String> migratedFrom) {
    Engine engine = runtime.engine();
    if (force) {
      engine.evenIfRunning();
    }
    PhaseRun.Output output =
        options.json
            ? new PhaseRun.Output(console.err(), console.err(), Optional.of(console.out()))
            : new PhaseRun.Output(console.out(), console.err(), Optional.empty());
    Vertx vertx = runtime.vertx();
    Optional<NodeMetrics> metrics = runtime.metrics(console::warn);
    // The phase's entries for this node's ring, published after the answer.
    List<EventRing.Entry> events = new CopyOnWriteArrayList<>();
    // Whether journald is there is a stat: not on the event loop.
    return vertx
        .executeBlocking(() -> runtime.journald(console::warn), false)
        .compose(
            journald ->
                new PhaseRun(engine, runtime.settings(), journald, metrics, events::addAll)
                    .run(id, parsedPhase, migratedFrom, output)
                    .eventually(
                        () ->
                            vertx.executeBlocking(
                                () -> {
                                  // After the phase's answer, before the process ends: its
                                  // outcome and exit code are decided already, and Proxmox
                                  // waits for the exit: the publish is waited for a bound only.
                                  ClusterPublishing publishing =
                                      new ClusterPublishing(
                                          runtime.publisher(), metrics, console::warn);
                                  publishing.note(events);
                                  publishing.publishWithin(ClusterPublishing.ONE_SHOT_BOUND);
                                  journald.close(JOURNAL_HANDOVER);
                                  return null;
                                },
                                false)));
  }

  /** Something to run with a Vert.x instance and the effective settings. */
  @FunctionalInterface
  interface SettingsWork {
    Future<Integer> run(Vertx vertx, Settings settings);
  }

  /** Something to run on the runtime the settings ask for. */
  @FunctionalInterface
  interface RuntimeWork {
    Future<Integer> run(NodeRuntime runtime);
  }

  /** Blocking work on the runtime the settings ask for. */
  @FunctionalInterface
  interface BlockingRuntimeWork {
    Integer run(NodeRuntime runtime) throws Exception;
  }

  /** Blocking work on the host the settings ask for, run on a worker thread. */
  @FunctionalInterface
  interface HostWork {
    Integer run(Settings settings, HostPort host, String node) throws Exception;
  }

  /**
   * Loads the settings, opens the host they ask for (real, sandbox, dry run) and runs the work on
   * it.
   */
  /** A command's VMID argument; empty after saying why it is none (the caller exits 2). */
  Optional<VmId> vmidArgument(String text) {
    try {
      return Optional.of(VmId.parse(text));
    } catch (IllegalArgumentException e) {
      console.error(e.getMessage());
      return Optional.empty();
    }
  }

  int withHost(HostWork work) {
    return withRuntimeBlocking(
        runtime -> work.run(runtime.settings(), runtime.host(), runtime.node()));
  }

  /** Loads the settings, builds the runtime they ask for and runs blocking work on a worker. */
  int withRuntimeBlocking(BlockingRuntimeWork work) {
    return withRuntime(runtime -> runtime.vertx().executeBlocking(() -> work.run(runtime), false));
  }

  /**
   * Loads the settings, builds the runtime they ask for and runs the work on it. Opening the host
   * looks at the root (is it a sandbox?): not on the event loop.
   */
  int withRuntime(RuntimeWork work) {
    return withRuntime(NodeRuntime::open, work);
  }

  /** As {@link #withRuntime}, for work that only reads: {@link NodeRuntime#toRead}. */
  int withRuntimeToRead(RuntimeWork work) {
    return withRuntime(NodeRuntime::toRead, work);
  }

  /** How the runtime is built from the settings: {@link NodeRuntime#open} or {@code toRead}. */
  private interface RuntimeOpener {
    NodeRuntime open(Vertx vertx, Settings settings) throws Exception;
  }

  private int withRuntime(RuntimeOpener opener, RuntimeWork work) {
    return withSettings(
        (vertx, settings) ->
            vertx.executeBlocking(() -> opener.open(vertx, settings), false).compose(work::run));
  }

  /** Loads the settings, runs the work, and turns every expected failure into one error line. */
  int withSettings(SettingsWork work) {
    return withSettings(options.asConfigLayer(), work);
  }

  int withSettings(JsonObject flags, SettingsWork work) {
    try {
      return VertxRunner.run(
          vertx -> {
            // The settings are the first to touch Groovy (the hook API): see GroovyWarmup.
            groovy.await();
            return new SettingsLoader(Installation.stockHooks())
                .load(vertx, flags, options.explicitConfig(), environment)
                .compose(
                    settings -> {
                      settings.warnings().forEach(console::warn);
                      return work.run(vertx, settings);
                    });
          });
    } catch (Exception e) {
      console.error(ExitCodes.isUsage(e) ? e.getMessage() : "internal error: " + e);
      return ExitCodes.ofFailure(e);
    }
  }
}
