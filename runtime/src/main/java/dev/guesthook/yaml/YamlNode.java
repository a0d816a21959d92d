package dev.guesthook.yaml;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as guesthook reads it: mappings, sequences and scalars, each knowing where it
 * stands. Scalars are typed by YAML 1.2's core schema, so {@code off}, {@code yes} and {@code
 * "false"} are strings (never booleans), and a quoted number stays a string: a setting's type is
 * decided by its declaration, not guessed from its text.
 */
public sealed interface YamlNode {
  Mark mark();

  /** The node as plain Java values: maps, lists, strings, longs, doubles, booleans and null. */
  Object plain();

  /** What a message says was found: {@code the string "false"}, {@code 4}, {@code a list}. */
  String describe();

  record Scalar(Object value, boolean quoted, Mark mark) implements YamlNode {
    @Override
    public Object plain() {
      return value;
    }

    @Override
    public String describe() {
      if (value == null) {
        return "nothing (null)";
      }
      if (value instanceof String text) {
        return (quoted ? "the string \"" : "'") + shortened(text) + (quoted ? "\"" : "'");
      }
      return String.valueOf(value);
    }

    private static String shortened(String text) {
      String oneLine = text.replaceAll("[\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}]", "?");
      return oneLine.length() > 60 ? oneLine.substring(0, 57) + "..." : oneLine;
    }
  }

  record Sequence(List<YamlNode> items, Mark mark) implements YamlNode {
    public Sequence {
      items = List.copyOf(items);
    }

    @Override
    public Object plain() {
      List<Object> out = new ArrayList<>();
      items.forEach(item -> out.add(item.plain()));
      return Collections.unmodifiableList(out);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /** A mapping; keys are strings (the reader refuses others) and keep their own marks. */
  record Mapping(Map<String, Entry> entries, Mark mark) implements YamlNode {
    public record Entry(Mark keyMark, YamlNode value) {}

    public Mapping {
      entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    public static Mapping empty(Mark mark) {
      return new Mapping(Map.of(), mark);
    }

    public YamlNode get(String key) {
      Entry entry = entries.get(key);
      return entry == null ? null : entry.value();
    }

    @Override
    public Object plain() {
      Map<String, Object> out = new LinkedHashMap<>();
      entries.forEach((key, entry) -> out.put(key, entry.value().plain()));
      return Collections.unmodifiableMap(out);
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** Plain values (a recording's JSON) as nodes, all marked with one origin. */
  static YamlNode of(Object value, Mark mark) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Mapping.Entry> entries = new LinkedHashMap<>();
      map.forEach((k, v) -> entries.put(String.valueOf(k), new Mapping.Entry(mark, of(v, mark))));
      return new Mapping(entries, mark);
    }
    if (value instanceof List<?> list) {
      return new Sequence(list.stream().map(item -> of(item, mark)).toList(), mark);
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return new Scalar(((Number) value).longValue(), false, mark);
    }
    if (value instanceof CharSequence text) {
      return new Scalar(text.toString(), true, mark);
    }
    if (value instanceof Float f) {
      return new Scalar(f.doubleValue(), false, mark);
    }
    return new Scalar(value, value instanceof String, mark);
  }
}
