package dev.guesthook.core.settings;

import dev.guesthook.yaml.Mark;
import dev.guesthook.yaml.Suggestions;
import dev.guesthook.yaml.YamlNode;
import groovy.lang.Closure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The {@code settings { ... }} block of a hook file: one line per setting, e.g.
 *
 * <pre>
 * settings {
 *   list('vfs', description: 'the VFs to prepare') {
 *     pci 'pf'
 *     integer 'numvfs', min: 1, optional: true
 *     bool 'trust', optional: true
 *   }
 * }
 * </pre>
 *
 * Every setting is required unless it says {@code optional: true} or has a {@code default:}; a list
 * that is not given is empty. Options a declaration does not know are refused when the file loads,
 * so a hook author's typo is caught as early as an admin's.
 */
public final class SettingsDeclaration {
  private static final Set<String> COMMON = Set.of("optional", "default", "description");
  private static final String NAME = "[A-Za-z][A-Za-z0-9_-]{0,63}";
  private static final List<String> TYPES =
      List.of(
          "string",
          "integer",
          "bool",
          "enumeration",
          "list",
          "map",
          "pci",
          "mac",
          "driver",
          "mdevType",
          "vlan",
          "uuid");

  private final String where;
  private final List<Field> fields = new ArrayList<>();

  SettingsDeclaration(String where) {
    this.where = where;
  }

  /** Runs a hook's declaration block and returns the schema it declares. */
  public static SettingsSchema declare(String hook, Map<String, ?> options, Closure<?> body) {
    checkOptions("hook '" + hook + "': settings", options, Set.of("open"));
    SettingsDeclaration declaration = new SettingsDeclaration("hook '" + hook + "'");
    declaration.run(body);
    return new SettingsSchema(
        new RecordType(declaration.fields, Boolean.TRUE.equals(options.get("open"))), true);
  }

  private void run(Closure<?> body) {
    Closure<?> copy = (Closure<?>) body.clone();
    copy.setDelegate(this);
    copy.setResolveStrategy(Closure.DELEGATE_FIRST);
    copy.call();
  }

  public void string(String name) {
    string(Map.of(), name);
  }

  /** Text; {@code pattern:} a regular expression the whole value must match. */
  public void string(Map<String, ?> options, String name) {
    Object pattern = option(name, options, Set.of("pattern")).get("pattern");
    add(
        name,
        options,
        Types.string(pattern == null ? null : Pattern.compile(String.valueOf(pattern))));
  }

  public void integer(String name) {
    integer(Map.of(), name);
  }

  /** A whole number; {@code min:} and {@code max:} bound it. */
  public void integer(Map<String, ?> options, String name) {
    Map<String, ?> checked = option(name, options, Set.of("min", "max"));
    add(
        name,
        options,
        Types.integer(
            bound(name, checked.get("min"), Long.MIN_VALUE),
            bound(name, checked.get("max"), Long.MAX_VALUE)));
  }

  public void bool(String name) {
    bool(Map.of(), name);
  }

  /** true or false, written without quotes: nothing else is read as a boolean. */
  public void bool(Map<String, ?> options, String name) {
    add(name, option(name, options, Set.of()), Types.bool());
  }

  /** One of {@code values:}. */
  public void enumeration(Map<String, ?> options, String name) {
    Object values = option(name, options, Set.of("values")).get("values");
    if (!(values instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": setting '" + name + "': give its values, e.g. values: ['a', 'b']");
    }
    add(name, options, Types.enumeration(list.stream().map(String::valueOf).toList()));
  }

  public void pci(String name) {
    pci(Map.of(), name);
  }

  public void pci(Map<String, ?> options, String name) {
    add(name, option(name, options, Set.of()), Types.pci());
  }

  public void mac(String name) {
    mac(Map.of(), name);
  }

  public void mac(Map<String, ?> options, String name) {
    add(name, option(name, options, Set.of()), Types.mac());
  }

  public void driver(String name) {
    driver(Map.of(), name);
  }

  public void driver(Map<String, ?> options, String name) {
    add(name, option(name, options, Set.of()), Types.driver());
  }

  public void mdevType(String name) {
    mdevType(Map.of(), name);
  }

  public void mdevType(Map<String, ?> options, String name) {
    add(name, option(name, options, Set.of()), Types.mdevType());
  }

  public void vlan(String name) {
    vlan(Map.of(), name);
  }

  public void vlan(Map<String, ?> options, String name) {
    add(name, option(name, options, Set.of()), Types.vlan());
  }

  public void uuid(String name) {
    uuid(Map.of(), name);
  }

  public void uuid(Map<String, ?> options, String name) {
    add(name, option(name, options, Set.of()), Types.uuid());
  }

  public void list(String name, Closure<?> entry) {
    list(Map.of(), name, entry);
  }

  /** A list whose entries are mappings declared by {@code entry}. */
  public void list(Map<String, ?> options, String name, Closure<?> entry) {
    Map<String, ?> checked = option(name, options, Set.of("open"));
    addList(name, options, record(name, entry, checked.get("open")));
  }

  /**
   * A list of plain values: {@code list 'uuids', of: 'uuid'}; {@code of: 'string', values: [...]}
   * takes only those words, and {@code unique: true} refuses an entry named twice.
   */
  public void list(Map<String, ?> options, String name) {
    Map<String, ?> checked = option(name, options, Set.of("of", "values", "unique"));
    Object of = checked.get("of");
    if (of == null) {
      throw new IllegalArgumentException(
          where
              + ": list '"
              + name
              + "': say what it holds, e.g. of: 'pci', or"
              + " declare its entries in a block");
    }
    addList(name, options, items(name, String.valueOf(of), checked.get("values")));
  }

  private SettingType items(String name, String of, Object values) {
    if (values == null) {
      return Types.named(of);
    }
    if (!of.equals("string") || !(values instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException(
          where + ": list '" + name + "': values: takes a list of words, with of: 'string'");
    }
    return Types.enumeration(list.stream().map(String::valueOf).toList());
  }

  public void map(String name, Closure<?> fields) {
    map(Map.of(), name, fields);
  }

  /**
   * A mapping of settings declared by {@code fields}; {@code open: true} passes undeclared keys on.
   */
  public void map(Map<String, ?> options, String name, Closure<?> fields) {
    Map<String, ?> checked = option(name, options, Set.of("open"));
    add(name, options, record(name, fields, checked.get("open")));
  }

  /**
   * {@code boolean 'x'} or {@code int 'x'}: a type this DSL does not have, named with the one
   * meant.
   */
  public Object methodMissing(String method, Object args) {
    throw new IllegalArgumentException(
        where
            + ": '"
            + method
            + "' is not a setting type"
            + Suggestions.didYouMean(method, TYPES)
            + " (types: "
            + String.join(", ", TYPES)
            + ")");
  }

  private RecordType record(String name, Closure<?> body, Object open) {
    SettingsDeclaration nested = new SettingsDeclaration(where + " setting '" + name + "'");
    nested.run(body);
    return new RecordType(nested.fields, Boolean.TRUE.equals(open));
  }

  private void addList(String name, Map<String, ?> options, SettingType items) {
    Map<String, Object> withEmptyDefault = new HashMap<>(options);
    if (!options.containsKey("default") && Boolean.TRUE.equals(options.get("optional"))) {
      withEmptyDefault.put("default", List.of());
    }
    add(name, withEmptyDefault, new ListType(items, Boolean.TRUE.equals(options.get("unique"))));
  }

  private void add(String name, Map<String, ?> options, SettingType type) {
    if (name == null || !name.matches(NAME)) {
      throw new IllegalArgumentException(
          where + ": invalid setting name '" + name + "': letters, digits, '_', '-'");
    }
    if (fields.stream().anyMatch(field -> field.name().equals(name))) {
      throw new IllegalArgumentException(where + ": setting '" + name + "' is declared twice");
    }
    Object defaultValue = options.get("default");
    boolean optional = Boolean.TRUE.equals(options.get("optional")) || defaultValue != null;
    Object description = options.get("description");
    fields.add(
        new Field(
            name,
            type,
            !optional,
            typedDefault(name, type, defaultValue),
            description == null ? "" : description.toString()));
  }

  /**
   * A default is checked like a value an admin writes, so a hook never gets one of the wrong type.
   */
  private Object typedDefault(String name, SettingType type, Object value) {
    if (value == null) {
      return null;
    }
    try {
      return type.convert(YamlNode.of(value, Mark.of("default")), name);
    } catch (SettingProblem problem) {
      throw new IllegalArgumentException(
          where + ": setting '" + name + "': default: " + problem.getMessage());
    }
  }

  private Map<String, ?> option(String name, Map<String, ?> options, Set<String> own) {
    Set<String> known = new TreeSet<>(COMMON);
    known.addAll(own);
    checkOptions(where + ": setting '" + name + "'", options, known);
    return options;
  }

  private static void checkOptions(String where, Map<String, ?> options, Set<String> known) {
    for (String option : options.keySet()) {
      if (!known.contains(option)) {
        throw new IllegalArgumentException(
            where
                + ": unknown option '"
                + option
                + "'"
                + Suggestions.didYouMean(option, known)
                + " (known: "
                + String.join(", ", new TreeSet<>(known))
                + ")");
      }
    }
  }

  private long bound(String name, Object value, long none) {
    if (value == null) {
      return none;
    }
    if (!(value instanceof Number number)) {
      throw new IllegalArgumentException(
          where + ": setting '" + name + "': min and max are numbers, got " + value);
    }
    return number.longValue();
  }
}
