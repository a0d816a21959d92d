package dev.guesthook.app;

import dev.guesthook.cluster.Publisher;
import dev.guesthook.config.Settings;
import dev.guesthook.engine.Engine;
import dev.guesthook.host.HostPort;
import dev.guesthook.host.SandboxMarker;
import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.host.sim.DryRunHost;
import dev.guesthook.host.sim.SimulatedHost;
import dev.guesthook.journald.Journald;
import dev.guesthook.metrics.NodeMetrics;
import dev.guesthook.pve.Pve;
import dev.guesthook.yaml.ConfigException;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * guesthook on this node as the settings ask for it: the host (the real one or the simulator over
 * the root, a dry run over either), the engine on it, the clock, and the journal a phase's lines go
 * to. The one place these are chosen and put together: every command and {@code serve} start here.
 */
public final class NodeRuntime {
  private final Vertx vertx;
  private final Settings settings;
  private final HostPort host;
  private final Clock clock;

  private NodeRuntime(Vertx vertx, Settings settings, HostPort host, Clock clock) {
    this.vertx = vertx;
    this.settings = settings;
    this.host = host;
    this.clock = clock;
  }

  /**
   * The runtime on the host the settings ask for. Fails when the root is not the kind the settings
   * say.
   */
  public static NodeRuntime open(Vertx vertx, Settings settings) throws ConfigException {
    return new NodeRuntime(vertx, settings, hostFor(settings), Clock.systemUTC());
  }

  /** The runtime on a host the caller built already (the demo keeps its simulator at hand). */
  public static NodeRuntime over(Vertx vertx, Settings settings, HostPort host) {
    return new NodeRuntime(vertx, settings, host, Clock.systemUTC());
  }

  /**
   * The runtime for a command that only reads (listing the hooks): a dry run over the host, and on
   * a sandbox its simulator, --simulate given or not. Nothing it does acts on the host, so a
   * forgotten --simulate, which a phase must refuse, is no reason to refuse it.
   */
  public static NodeRuntime toRead(Vertx vertx, Settings settings) throws ConfigException {
    boolean sandbox = settings.simulate() || SandboxMarker.isSandbox(settings.root());
    return new NodeRuntime(
        vertx, settings, new DryRunHost(hostOver(settings, sandbox)), Clock.systemUTC());
  }

  /** The host the settings ask for: real or simulated over the root, wrapped for a dry run. */
  static HostPort hostFor(Settings settings) throws ConfigException {
    HostPort base = hostOver(settings, settings.simulate());
    return settings.dryRun() ? new DryRunHost(base) : base;
  }

  private static HostPort hostOver(Settings settings, boolean simulated) throws ConfigException {
    try {
      return simulated ? SimulatedHost.sandbox(settings.root()) : LinuxHost.over(settings.root());
    } catch (IllegalArgumentException wrongKindOfRoot) {
      throw new ConfigException(
          (simulated ? "--simulate: " : "--root: ") + wrongKindOfRoot.getMessage());
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public Settings settings() {
    return settings;
  }

  public HostPort host() {
    return host;
  }

  /**
   * The node's name: as the settings give it, else as Proxmox knows it. Blocking (reads the host).
   */
  public String node() {
    return settings.node().or(new Pve(host)::nodeName).orElse("localhost");
  }

  /**
   * This node's publisher to the cluster file system ({@code /etc/pve/nodes/<node>/guesthook}):
   * empty for a dry run, which changed nothing. Blocking (the node's name is read from the host).
   */
  public Optional<Publisher> publisher() {
    return settings.dryRun()
        ? Optional.empty()
        : Publisher.of(host, settings.root(), node(), clock);
  }

  /**
   * This node's metrics for node_exporter, where guesthook.yaml's {@code metrics.textfile} points:
   * empty when it points nowhere, and for a dry run, which changed nothing.
   */
  public Optional<NodeMetrics> metrics(Consumer<String> warn) {
    return settings.dryRun()
        ? Optional.empty()
        : settings
            .metricsTextfile()
            .map(textfile -> new NodeMetrics(textfile, settings.root(), warn));
  }

  /**
   * An engine over this runtime's host; each command gets its own (a resident one keeps its hooks).
   */
  public Engine engine() {
    return new Engine(vertx, settings, host, clock);
  }

  /**
   * The journal of a phase that changes something; a dry run is not logged there, as it is not
   * recorded. Blocking: whether journald is there is a stat.
   */
  public Journald journald(Consumer<String> warn) {
    return settings.dryRun()
        ? Journald.OFF
        : Journald.at(settings.root().resolve(Journald.SOCKET), warn);
  }
}
