package dev.guesthook.config;

import dev.guesthook.dispatch.HookLog;
import dev.guesthook.id.VmId;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The runtime's effective configuration, after defaults, the config file, environment and flags. */
public record Settings(
    Path root,
    boolean simulate,
    boolean dryRun,
    List<Path> hookDirs,
    Duration hookTimeout,
    Path recordingDir,
    Path cacheDir,
    HookLog.Level logLevel,
    boolean strict,
    Optional<String> node,
    JsonObject hookDefaults,
    JsonObject vms,
    List<String> warnings) {

  /** A hook's settings for one guest: {@code hooks.<name>} overlaid with {@code vms.<vmid>.<name>}. */
  public Map<String, Object> hookSettings(VmId vmid, String hookName) {
    Map<String, Object> merged = new HashMap<>();
    JsonObject defaults = hookDefaults.getJsonObject(hookName);
    if (defaults != null) {
      merged.putAll(defaults.getMap());
    }
    JsonObject vm = vms.getJsonObject(vmid.toString());
    JsonObject own = vm == null ? null : vm.getJsonObject(hookName);
    if (own != null) {
      merged.putAll(own.getMap());
    }
    return merged;
  }
}
