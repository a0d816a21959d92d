package dev.guesthook.config;

import dev.guesthook.core.dispatch.HookLog;
import dev.guesthook.core.hookhost.HookGlobals;
import dev.guesthook.id.VmId;
import dev.guesthook.yaml.ConfigException;
import dev.guesthook.yaml.YamlNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The runtime's effective configuration, after defaults, the config file, environment and flags.
 *
 * @param optionalHookDirs hook folders that may be absent (the admin's default one); any other
 *     missing folder is a configuration error, never "0 hooks, ok"
 * @param hookDefaults guesthook.yaml's {@code hooks}: hook name to settings for every guest
 * @param hookApi what hooks get in their scope: the installed contributions and those of the node's
 *     own jars in {@code etc/guesthook/hookapi.d}, read and checked with the settings
 * @param vms guesthook.yaml's {@code vms}: guest id to hook name to settings
 * @param metricsTextfile guesthook.yaml's {@code metrics.textfile}, under the root, checked: where
 *     node_exporter's textfile collector reads guesthook's metrics
 */
public record Settings(
    Path root,
    boolean simulate,
    boolean dryRun,
    List<Path> hookDirs,
    Set<Path> optionalHookDirs,
    Duration hookTimeout,
    Path recordingDir,
    Path cacheDir,
    HookLog.Level logLevel,
    boolean strict,
    Optional<String> node,
    YamlNode.Mapping hookDefaults,
    YamlNode.Mapping vms,
    Optional<Path> metricsTextfile,
    List<String> warnings,
    HookGlobals hookApi) {

  /**
   * guesthook.yaml's hook settings for one guest ({@code vms."<vmid>"}), empty when it has none.
   */
  public YamlNode.Mapping vmHookSettings(VmId vmid) {
    return vms.get(vmid.toString()) instanceof YamlNode.Mapping own
        ? own
        : YamlNode.Mapping.empty(vms.mark());
  }

  /** Hook folders that should be there and are not. */
  public List<Path> missingHookDirs() {
    return hookDirs.stream()
        .filter(dir -> !Files.isDirectory(dir) && !optionalHookDirs.contains(dir))
        .toList();
  }

  /**
   * Fails when a hook folder the admin named does not exist: a typo there would silently run no
   * hooks.
   */
  public void requireHookDirs() throws ConfigException {
    List<Path> missing = missingHookDirs();
    if (!missing.isEmpty()) {
      throw new ConfigException(
          "hook folder "
              + missing.get(0)
              + " does not exist (hook-dirs, GUESTHOOK_HOOK_DIRS"
              + " or --hooks); fix: create it or correct the path");
    }
  }

  /** The same settings with another compiled-hook cache. */
  public Settings withCacheDir(Path cache) {
    return new Settings(
        root,
        simulate,
        dryRun,
        hookDirs,
        optionalHookDirs,
        hookTimeout,
        recordingDir,
        cache,
        logLevel,
        strict,
        node,
        hookDefaults,
        vms,
        metricsTextfile,
        warnings,
        hookApi);
  }
}
