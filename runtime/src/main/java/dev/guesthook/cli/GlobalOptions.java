package dev.guesthook.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Options every guesthook command takes. They form the command-line layer of the configuration. */
public final class GlobalOptions {
  @Option(
      names = "--root",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description =
          "Resolve every host path (sys/, proc/, etc/pve/, var/lib/guesthook/, run/) under DIR. Default: /")
  Path root;

  @Option(
      names = "--simulate",
      scope = ScopeType.INHERIT,
      description =
          "Act on the simulated kernel of the sandbox at --root (see 'guesthook sandbox create');"
              + " its state stays in that directory, the real host is never changed.")
  boolean simulate;

  @Option(
      names = "--hooks",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "Load hooks from DIR instead of the configured folders (repeatable).")
  List<Path> hookDirs;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Read this YAML file instead of <root>/etc/guesthook/guesthook.yaml.")
  Path config;

  @Option(
      names = "--dry-run",
      scope = ScopeType.INHERIT,
      description =
          "Print the host changes the hooks would make and change nothing (but the compiled-hook cache).")
  boolean dryRun;

  @Option(
      names = "--json",
      scope = ScopeType.INHERIT,
      description = "Print a machine-readable result on stdout (log lines go to stderr).")
  boolean json;

  @Option(
      names = "--node",
      paramLabel = "NAME",
      scope = ScopeType.INHERIT,
      description = "The node name to report. Default: <root>/etc/hostname.")
  String node;

  @Option(
      names = "--hook-timeout",
      paramLabel = "SECONDS",
      scope = ScopeType.INHERIT,
      description = "Default time a hook may take before it is abandoned. Default: 30")
  Double hookTimeout;

  @Option(
      names = "--strict",
      scope = ScopeType.INHERIT,
      description = "Exit non-zero when a hook fails in post-start, pre-stop or post-stop too.")
  boolean strict;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      scope = ScopeType.INHERIT,
      description = "Hook log lines to show: debug, info, warn, error. Default: info")
  String logLevel;

  /** Only what was given on the command line, keyed like the config file. */
  JsonObject asConfigLayer() {
    JsonObject flags = new JsonObject();
    if (root != null) {
      flags.put("root", root.toAbsolutePath().normalize().toString());
    }
    if (simulate) {
      flags.put("simulate", true);
    }
    if (dryRun) {
      flags.put("dry-run", true);
    }
    if (strict) {
      flags.put("strict", true);
    }
    if (hookDirs != null && !hookDirs.isEmpty()) {
      flags.put(
          "hook-dirs",
          new JsonArray(hookDirs.stream().map(p -> p.toAbsolutePath().toString()).toList()));
    }
    if (node != null) {
      flags.put("node", node);
    }
    if (hookTimeout != null) {
      flags.put("hook-timeout", hookTimeout);
    }
    if (logLevel != null) {
      flags.put("log-level", logLevel);
    }
    return flags;
  }

  Optional<Path> explicitConfig() {
    return Optional.ofNullable(config);
  }
}
