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

  ListType(SettingType items) {
    this.items = items;
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
      out.add(items.convert(sequence.items().get(i), key + "[" + i + "]"));
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
