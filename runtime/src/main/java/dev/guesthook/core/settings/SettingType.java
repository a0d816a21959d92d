package dev.guesthook.core.settings;

import dev.guesthook.yaml.YamlNode;
import java.util.Map;

/** What a declared setting accepts, and the typed value a hook gets for it. */
public interface SettingType {
  /**
   * The typed value of a node, or a problem naming {@code key} and the node's place.
   *
   * @param key the setting's full name for messages, e.g. {@code sriov-vf.vfs[0].trust}
   */
  Object convert(YamlNode node, String key) throws SettingProblem;

  /** What it accepts, for messages and listings: {@code a PCI address like 0000:01:00.0}. */
  String expected();

  /** How it reads in a hook's listing: {@code pci}, {@code integer 1..64}, {@code list}. */
  String shortName();

  /** The declared settings inside it: a mapping's, or a list's entries'; none for a plain value. */
  default Map<String, Field> fields() {
    return Map.of();
  }
}
