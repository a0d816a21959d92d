package dev.guesthook.core.settings;

import dev.guesthook.yaml.Suggestions;
import dev.guesthook.yaml.YamlNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A mapping of declared settings: unknown keys are refused with the closest known name (unless the
 * declaration is open), required ones must be there, and absent ones take their default.
 */
public final class RecordType implements SettingType {
  private final Map<String, Field> fields = new LinkedHashMap<>();
  private final boolean open;

  RecordType(List<Field> fields, boolean open) {
    fields.forEach(field -> this.fields.put(field.name(), field));
    this.open = open;
  }

  @Override
  public Map<String, Field> fields() {
    return Collections.unmodifiableMap(fields);
  }

  /** Whether keys it does not declare are passed to the hook as they are. */
  public boolean open() {
    return open;
  }

  @Override
  public Object convert(YamlNode node, String key) throws SettingProblem {
    if (!(node instanceof YamlNode.Mapping mapping)) {
      throw new SettingProblem(
          node.mark(), key, "expected " + expected() + ", found " + node.describe());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, YamlNode.Mapping.Entry> entry : mapping.entries().entrySet()) {
      out.put(entry.getKey(), value(entry.getKey(), entry.getValue(), key));
    }
    for (Field field : fields.values()) {
      if (out.get(field.name()) == null) {
        out.remove(field.name());
        if (field.required()) {
          throw new SettingProblem(
              mapping.mark(),
              key,
              "missing '"
                  + field.name()
                  + "' ("
                  + field.type().expected()
                  + (field.description().isEmpty() ? "" : ": " + field.description())
                  + ")");
        }
        if (field.defaultValue() != null) {
          out.put(field.name(), field.defaultValue());
        }
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /** A key's typed value; an explicit null (an empty value) counts as not given. */
  private Object value(String name, YamlNode.Mapping.Entry entry, String parentKey)
      throws SettingProblem {
    String key = parentKey.isEmpty() ? name : parentKey + "." + name;
    Field field = fields.get(name);
    if (field == null) {
      if (open) {
        return entry.value().plain();
      }
      throw new SettingProblem(entry.keyMark(), key, unknown(name));
    }
    if (entry.value() instanceof YamlNode.Scalar scalar
        && scalar.value() == null
        && !scalar.quoted()) {
      return null;
    }
    return field.type().convert(entry.value(), key);
  }

  String unknown(String name) {
    if (fields.isEmpty()) {
      return "unknown setting: this takes no settings";
    }
    return "unknown setting"
        + Suggestions.didYouMean(name, fields.keySet())
        + " (known: "
        + String.join(", ", fields.keySet())
        + ")";
  }

  @Override
  public String expected() {
    return fields.isEmpty() ? "a mapping" : "a mapping of " + String.join(", ", fields.keySet());
  }

  @Override
  public String shortName() {
    return open ? "map (open)" : "map";
  }
}
