package dev.guesthook.config;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostFiles;
import dev.guesthook.host.HostPath;
import dev.guesthook.id.VmId;
import dev.guesthook.yaml.ConfigException;
import dev.guesthook.yaml.Mark;
import dev.guesthook.yaml.SafeYaml;
import dev.guesthook.yaml.YamlNode;
import java.nio.file.Path;

/**
 * A VM's own guesthook settings, {@code /etc/pve/guesthook/<vmid>.yaml}: top-level keys are hook
 * names, values their settings. Kept in the cluster file system so they move with the VM; read
 * through the host port like every other host file, with {@link SafeYaml}'s bounds. They win over
 * the same hook's entry in guesthook.yaml.
 */
public final class VmSettingsFile {
  private VmSettingsFile() {}

  public static HostPath path(VmId vmid) {
    return HostPath.of("etc", "pve", "guesthook", vmid + ".yaml");
  }

  /**
   * The file's hook settings by hook name, or none when the VM has no file. Messages name it where
   * it is on this machine, under {@code root} (a sandbox's, or {@code /}), so nobody edits the
   * wrong one.
   */
  public static YamlNode.Mapping read(HostFiles host, Path root, VmId vmid) throws ConfigException {
    HostPath hostPath = path(vmid);
    String path = root.resolve(hostPath.toString().substring(1)).toString();
    if (!host.exists(hostPath)) {
      return YamlNode.Mapping.empty(Mark.of(path));
    }
    String text;
    try {
      text = host.read(hostPath);
    } catch (HostException e) {
      if (e.errno().equals("EFBIG")) {
        throw SafeYaml.tooLarge(path);
      }
      throw new ConfigException(
          path + ": cannot read it: " + e.getMessage().replace(hostPath + ": ", ""));
    }
    if (text.indexOf('\uFFFD') >= 0) {
      // The port decodes leniently; a settings file is text, and a byte that is not UTF-8 is a
      // mistake.
      throw new ConfigException(
          path + ": not UTF-8 text (or it holds U+FFFD); fix: save it as UTF-8");
    }
    return SafeYaml.parseMapping(path, text);
  }
}
