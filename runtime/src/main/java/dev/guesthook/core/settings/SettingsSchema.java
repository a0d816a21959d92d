package dev.guesthook.core.settings;

import dev.guesthook.yaml.YamlNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The settings a hook declares it takes: the contract between the hook's author and the admin who
 * writes them in guesthook.yaml or a guest's own file. A hook that declares none takes none.
 */
public final class SettingsSchema {
  /** A hook that declares no settings: any setting given to it is refused. */
  public static final SettingsSchema NONE =
      new SettingsSchema(new RecordType(List.of(), false), false);

  /**
   * A hook whose file did not load: its settings are not checked, its load error is what the admin
   * sees.
   */
  public static final SettingsSchema UNCHECKED =
      new SettingsSchema(new RecordType(List.of(), true), true);

  private final RecordType root;
  private final boolean declared;

  SettingsSchema(RecordType root, boolean declared) {
    this.root = root;
    this.declared = declared;
  }

  /** Whether the hook declared its settings (with {@code settings { ... }}). */
  public boolean declared() {
    return declared;
  }

  public Map<String, Field> fields() {
    return root.fields();
  }

  public boolean open() {
    return root.open();
  }

  /** The typed settings for a hook named {@code hook} from its (merged) mapping. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> typed(String hook, YamlNode.Mapping settings) throws SettingProblem {
    return (Map<String, Object>) root.convert(settings, hook);
  }

  /** The message for a key the hook does not take. */
  String unknownKey(String key) {
    return declared
        ? root.unknown(key)
        : "unknown setting: this hook declares no settings (its file has no"
            + " settings { ... } block)";
  }

  boolean takes(String key) {
    return root.open() || root.fields().containsKey(key);
  }

  /**
   * Checks one key's value where it is written, before layers are merged: a wrong value in a layer
   * that a later one overrides is still reported (it would bite the day the override goes).
   */
  void checkValue(String key, YamlNode value, String name) throws SettingProblem {
    Field field = root.fields().get(key);
    boolean unset =
        value instanceof YamlNode.Scalar scalar && scalar.value() == null && !scalar.quoted();
    if (field != null && !unset) {
      field.type().convert(value, name);
    }
  }

  /** One line per setting, nested ones indented, for {@code guesthook hooks --settings}. */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    describe(root.fields(), "  ", lines);
    if (root.open()) {
      lines.add("  (open: settings it does not declare are passed on unchecked)");
    }
    return lines;
  }

  private static void describe(Map<String, Field> fields, String indent, List<String> lines) {
    for (Field field : fields.values()) {
      String type =
          field.type().shortName()
              + (field.required() ? "" : ", optional")
              + (field.defaultValue() == null
                      || field.defaultValue() instanceof List<?> l && l.isEmpty()
                  ? ""
                  : ", default " + field.defaultValue());
      lines.add(
          String.format("%-28s %-34s %s", indent + field.name(), type, field.description())
              .stripTrailing());
      describe(field.type().fields(), indent + "  ", lines);
    }
  }
}
