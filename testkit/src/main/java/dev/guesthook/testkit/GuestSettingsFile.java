package dev.guesthook.testkit;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

/**
 * A guest's own settings file in a sandbox, {@code etc/pve/guesthook/<vmid>.yaml}, with one hook's
 * entry replaced. The other entries are kept as YAML nodes, not reread as Java values, so each
 * keeps its exact type and text; the new entry is written from Java values, so a {@code Boolean} is
 * a YAML boolean and a {@code String} a string even when it reads {@code "true"}.
 */
final class GuestSettingsFile {
  private GuestSettingsFile() {}

  static void put(Path sandboxRoot, int vmid, String hook, Map<String, ?> values)
      throws IOException {
    Path file = sandboxRoot.resolve("etc/pve/guesthook/" + vmid + ".yaml");
    Yaml yaml = yaml();
    MappingNode entries = existing(yaml, file);
    entries.getValue().removeIf(entry -> isKey(entry, hook));
    entries.getValue().add(new NodeTuple(yaml.represent(hook), yaml.represent(ordered(values))));
    StringWriter text = new StringWriter();
    yaml.serialize(entries, text);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text.toString());
  }

  /**
   * The values with every map's keys in order, so the file, and the line a settings message names,
   * is the same on every run whatever map the test gave.
   */
  private static Object ordered(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> sorted = new TreeMap<>();
      map.forEach((key, inner) -> sorted.put(String.valueOf(key), ordered(inner)));
      return sorted;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(GuestSettingsFile::ordered).toList();
    }
    return value;
  }

  private static MappingNode existing(Yaml yaml, Path file) throws IOException {
    if (Files.exists(file)) {
      Node node = yaml.compose(new StringReader(Files.readString(file)));
      if (node instanceof MappingNode mapping) {
        mapping.setFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return mapping;
      }
    }
    return new MappingNode(Tag.MAP, new ArrayList<>(), DumperOptions.FlowStyle.BLOCK);
  }

  private static boolean isKey(NodeTuple entry, String hook) {
    return entry.getKeyNode() instanceof ScalarNode key && key.getValue().equals(hook);
  }

  private static Yaml yaml() {
    LoaderOptions loading = new LoaderOptions();
    DumperOptions dumping = new DumperOptions();
    dumping.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(new SafeConstructor(loading), new Representer(dumping), dumping, loading);
  }
}
