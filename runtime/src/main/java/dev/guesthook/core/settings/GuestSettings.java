package dev.guesthook.core.settings;

import dev.guesthook.yaml.Mark;
import dev.guesthook.yaml.Suggestions;
import dev.guesthook.yaml.YamlNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A guest's hook settings, checked against what its hooks declare before any hook runs: every
 * layer's hook names must be loaded hooks, every key a declared setting of the right type. The
 * first problem is the error, in one line naming the file, line and column, the key, what was
 * expected and what was found; the hooks then get typed values ({@code settings.vfs[0].pf} is a
 * {@code PciAddress}).
 *
 * @param typed each hook's settings as it gets them
 * @param given each hook's settings as written (merged), for the recording
 */
public record GuestSettings(
    Map<String, Map<String, Object>> typed, Map<String, Map<String, Object>> given) {
  public static final GuestSettings NONE = new GuestSettings(Map.of(), Map.of());

  /** A hook's typed settings; a hook nobody set anything for gets its defaults. */
  public Map<String, Object> of(String hook) {
    return typed.getOrDefault(hook, Map.of());
  }

  /**
   * @param schemas the loaded hooks' declarations, by hook name
   * @param masked names of hooks an admin masked for this guest: settings for them are not an error
   */
  public static GuestSettings resolve(
      List<SettingsLayer> layers, Map<String, SettingsSchema> schemas, Set<String> masked)
      throws SettingsException {
    Map<String, Map<String, YamlNode.Mapping.Entry>> merged = new LinkedHashMap<>();
    Map<String, Mark> lastMark = new LinkedHashMap<>();
    for (SettingsLayer layer : layers) {
      for (Map.Entry<String, YamlNode.Mapping.Entry> hook : layer.byHook().entries().entrySet()) {
        String name = hook.getKey();
        SettingsSchema schema = schemas.get(name);
        if (schema == null) {
          if (masked.contains(name)) {
            continue;
          }
          throw new SettingsException(
              hook.getValue().keyMark()
                  + ": "
                  + layer.prefix()
                  + name
                  + ": no hook named '"
                  + name
                  + "' is loaded"
                  + Suggestions.didYouMean(name, schemas.keySet())
                  + " (loaded: "
                  + String.join(", ", new TreeSet<>(schemas.keySet()))
                  + ")"
                  + (layer.prefix().equals("hooks.")
                      ? "; a hook of one guest's own folder takes its settings in vms.\"<vmid>\" or that guest's file"
                      : ""),
              true);
        }
        YamlNode value = hook.getValue().value();
        if (!(value instanceof YamlNode.Mapping settings)) {
          if (value instanceof YamlNode.Scalar scalar && scalar.value() == null) {
            continue; // "mdev:" with nothing under it sets nothing
          }
          throw problem(
              new SettingProblem(
                  value.mark(),
                  layer.prefix() + name,
                  "expected a mapping of the hook's settings, found " + value.describe()));
        }
        for (Map.Entry<String, YamlNode.Mapping.Entry> key : settings.entries().entrySet()) {
          String shown = layer.prefix() + name + "." + key.getKey();
          if (!schema.takes(key.getKey())) {
            throw problem(
                new SettingProblem(
                    key.getValue().keyMark(), shown, schema.unknownKey(key.getKey())));
          }
          try {
            schema.checkValue(key.getKey(), key.getValue().value(), shown);
          } catch (SettingProblem wrong) {
            throw problem(wrong);
          }
        }
        merged.computeIfAbsent(name, n -> new LinkedHashMap<>()).putAll(settings.entries());
        lastMark.put(name, settings.mark());
      }
    }
    return typed(merged, lastMark, schemas);
  }

  private static GuestSettings typed(
      Map<String, Map<String, YamlNode.Mapping.Entry>> merged,
      Map<String, Mark> marks,
      Map<String, SettingsSchema> schemas)
      throws SettingsException {
    Map<String, Map<String, Object>> typed = new LinkedHashMap<>();
    Map<String, Map<String, Object>> given = new LinkedHashMap<>();
    for (Map.Entry<String, SettingsSchema> hook : schemas.entrySet()) {
      String name = hook.getKey();
      YamlNode.Mapping settings =
          new YamlNode.Mapping(
              merged.getOrDefault(name, Map.of()),
              marks.getOrDefault(name, Mark.of("the settings of hook " + name)));
      try {
        typed.put(name, hook.getValue().typed(name, settings));
      } catch (SettingProblem problem) {
        throw merged.containsKey(name) ? problem(problem) : notGiven(name, problem);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> plain = (Map<String, Object>) settings.plain();
      given.put(name, plain);
    }
    return new GuestSettings(
        Collections.unmodifiableMap(typed), Collections.unmodifiableMap(given));
  }

  /** Settings recorded with an event, typed again for a replay. */
  public static Map<String, Object> typedFromRecording(
      String hook, SettingsSchema schema, Map<String, Object> recorded, String recording)
      throws SettingsException {
    try {
      return schema.typed(hook, (YamlNode.Mapping) YamlNode.of(recorded, Mark.of(recording)));
    } catch (SettingProblem problem) {
      throw problem(problem);
    }
  }

  /**
   * A hook requires a setting and no layer gives the guest any of its settings: a hook dropped into
   * the hook folder for some guests would stop every other guest, so the fix names both ways out.
   */
  private static SettingsException notGiven(String hook, SettingProblem problem) {
    return new SettingsException(
        "hook "
            + hook
            + " requires settings and this guest gives it none: "
            + problem.getMessage()
            + "; fix: give them in the guest's /etc/pve/guesthook/<vmid>.yaml (or under vms.\"<vmid>\"."
            + hook
            + " in guesthook.yaml), or, for a hook only some guests use, declare them optional: true and skip() in"
            + " the hook when they are not given (as the stock hooks do)");
  }

  private static SettingsException problem(SettingProblem problem) {
    return new SettingsException(problem.line());
  }
}
