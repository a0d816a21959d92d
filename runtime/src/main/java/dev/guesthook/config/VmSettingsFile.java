package dev.guesthook.config;

import dev.guesthook.id.VmId;
import dev.guesthook.host.HostFiles;
import dev.guesthook.host.HostPath;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A VM's own guesthook settings, {@code /etc/pve/guesthook/<vmid>.yaml}: top-level keys are hook
 * names, values their settings. Kept in the cluster file system so they move with the VM; read through
 * the host port like every other host file. They win over the same hook's entry in guesthook.yaml.
 */
public final class VmSettingsFile {
  private VmSettingsFile() {}

  public static HostPath path(VmId vmid) {
    return HostPath.of("etc", "pve", "guesthook", vmid + ".yaml");
  }

  /** The file's hook settings, or none when the VM has no file. */
  public static Map<String, Map<String, Object>> read(HostFiles host, VmId vmid) throws ConfigException {
    HostPath path = path(vmid);
    if (!host.exists(path)) {
      return Map.of();
    }
    Object document;
    try {
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      document = new Yaml(new SafeConstructor(options)).load(host.read(path));
    } catch (MarkedYAMLException e) {
      throw new ConfigException(path + ":" + (e.getProblemMark().getLine() + 1) + ": " + e.getProblem());
    } catch (YAMLException e) {
      throw new ConfigException(path + ": " + e.getMessage());
    }
    if (document == null) {
      return Map.of();
    }
    if (!(document instanceof Map<?, ?> top)) {
      throw new ConfigException(path + ": expected hook names as top-level keys");
    }
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : top.entrySet()) {
      if (!(entry.getValue() instanceof Map<?, ?> settings)) {
        throw new ConfigException(path + ": '" + entry.getKey() + "' must be a map of that hook's settings");
      }
      Map<String, Object> copy = new LinkedHashMap<>();
      settings.forEach((k, v) -> copy.put(String.valueOf(k), v));
      out.put(String.valueOf(entry.getKey()), copy);
    }
    return out;
  }
}
