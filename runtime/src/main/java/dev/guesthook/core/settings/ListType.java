package dev.guesthook.core.settings;

import dev.guesthook.yaml.YamlNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** A list of settings of one type; each item is checked and named by its position. */
final class ListType implements SettingType {
  static final int MAX_ITEMS = 256;

  private final SettingType items;
  private final boolean unique;

  /**
   * {@code unique}: an entry equal to an earlier one is refused (an order that names one twice).
   */
  ListType(SettingType items, boolean unique) {
    this.items = items;
    this.unique = unique;
  }

  @Override
  public Object convert(YamlNode node, String key) throws SettingProblem {
    if (!(node instanceof YamlNode.Sequence sequence)) {
      throw new SettingProblem(
          node.mark(),
          key,
          "expected a list of "
              + items.expected()
              + ", found "
              + node.describe()
              + (node instanceof YamlNode.Mapping ? "; fix: start each entry with '- '" : ""));
    }
    if (sequence.items().size() > MAX_ITEMS) {
      throw new SettingProblem(node.mark(), key, "more than " + MAX_ITEMS + " entries");
    }
    List<Object> out = new ArrayList<>();
    for (int i = 0; i < sequence.items().size(); i++) {
      YamlNode item = sequence.items().get(i);
      Object value = items.convert(item, key + "[" + i + "]");
      int first = unique ? out.indexOf(value) : -1;
      if (first >= 0) {
        throw new SettingProblem(
            item.mark(),
            key + "[" + i + "]",
            "'" + value + "' is named twice (also " + key + "[" + first + "]); name each once");
      }
      out.add(value);
    }
    return Collections.unmodifiableList(out);
  }

  @Override
  public String expected() {
    return "a list of " + items.expected();
  }

  @Override
  public String shortName() {
    return items.fields().isEmpty() ? "list of " + items.shortName() : "list";
  }

  @Override
  public Map<String, Field> fields() {
    return items.fields();
  }
}
