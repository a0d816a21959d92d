package dev.guesthook.config;

import dev.guesthook.core.dispatch.HookLog;
import dev.guesthook.core.hookhost.HookGlobals;
import dev.guesthook.id.VmId;
import dev.guesthook.yaml.ConfigException;
import dev.guesthook.yaml.SafeYaml;
import dev.guesthook.yaml.Suggestions;
import dev.guesthook.yaml.YamlNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds {@link Settings} from four layers, later ones winning: built-in defaults, the YAML file
 * ({@code /etc/guesthook/guesthook.yaml} under the host root, or {@code --config}), {@code
 * GUESTHOOK_*} environment variables, and command-line flags. The host root itself comes only from
 * the flag or the environment, since the config file lives under it.
 */
public final class SettingsLoader {
  public static final String CONFIG_FILE = "etc/guesthook/guesthook.yaml";

  /** The administrator's hooks, under the host root: on the hook path after the stock ones. */
  public static final String ADMIN_HOOKS = "etc/guesthook/hooks.d";

  static final String ENV_PREFIX = "GUESTHOOK_";

  private static final Set<String> KEYS =
      Set.of(
          "root",
          "simulate",
          "dry-run",
          "hook-dirs",
          "hook-timeout",
          "recording-dir",
          "cache-dir",
          "log-level",
          "strict",
          "node",
          "hooks",
          "vms",
          MetricsSetting.KEY);

  /** Keys read from the file's own nodes (they keep their lines), never from a variable or flag. */
  private static final Set<String> FILE_ONLY = Set.of("hooks", "vms", MetricsSetting.KEY);

  private final Path stockHooks;

  /**
   * @param stockHooks where the packaged stock hooks live; the first default hook folder
   */
  public SettingsLoader(Path stockHooks) {
    this.stockHooks = stockHooks;
  }

  /**
   * @param flags the command-line layer, keyed like the config file
   * @param explicitConfig {@code --config FILE}; it must exist, unlike the default file
   * @param environment the process environment
   */
  public Future<Settings> load(
      Vertx vertx,
      JsonObject flags,
      Optional<Path> explicitConfig,
      Map<String, String> environment) {
    JsonObject env;
    try {
      env = fromEnvironment(environment);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    Path root =
        Path.of(flags.getString("root", env.getString("root", "/"))).toAbsolutePath().normalize();
    // The root is settled here; a "root" left in the merged config can only have come from the
    // file.
    JsonObject flagLayer = flags.copy();
    flagLayer.remove("root");
    env.remove("root");
    Path file = explicitConfig.orElse(root.resolve(CONFIG_FILE));
    if (explicitConfig.isPresent() && !Files.isReadable(file)) {
      return Future.failedFuture(new ConfigException("cannot read config file " + file));
    }
    return vertx
        .executeBlocking(() -> readFile(file), false)
        .map(document -> merge(root, document, env, flagLayer))
        .compose(
            merged -> {
              try {
                return Future.succeededFuture(
                    toSettings(
                        merged.layers(),
                        merged.document(),
                        root,
                        new Sources(file, merged.document(), env, flagLayer)));
              } catch (ConfigException e) {
                return Future.failedFuture(e);
              }
            });
  }

  /**
   * The four layers merged; hooks' settings are taken from the file's own nodes, which know their
   * lines.
   */
  private record Merged(JsonObject layers, YamlNode.Mapping document) {}

  /**
   * Each layer over the one before, deeply, as vertx-config's retriever merged them; done here, a
   * one-shot phase no longer starts the retriever's stores and JSON round trips for four small
   * objects. The file's values become JSON values (mappings objects, sequences arrays) first.
   */
  private Merged merge(Path root, YamlNode.Mapping document, JsonObject env, JsonObject flags) {
    JsonObject fromFile = new JsonObject();
    document
        .entries()
        .forEach(
            (key, entry) -> {
              if (!FILE_ONLY.contains(key)) {
                fromFile.put(key, jsonValue(entry.value().plain()));
              }
            });
    JsonObject merged = new JsonObject();
    for (JsonObject layer : List.of(defaults(root), fromFile, env, flags)) {
      merged.mergeIn(layer.copy(), true);
    }
    return new Merged(merged, document);
  }

  /**
   * A value read from YAML as the JSON round trip of the retriever's stores gave it: mappings as
   * objects and sequences as arrays (so that layers merge deeply), whole numbers that fit an int as
   * ints; the rest as it is.
   */
  private static Object jsonValue(Object plain) {
    if (plain instanceof Map<?, ?> mapping) {
      JsonObject object = new JsonObject();
      mapping.forEach((key, value) -> object.put(String.valueOf(key), jsonValue(value)));
      return object;
    }
    if (plain instanceof List<?> sequence) {
      JsonArray array = new JsonArray();
      sequence.forEach(item -> array.add(jsonValue(item)));
      return array;
    }
    if (plain instanceof Long number && number == number.intValue()) {
      return number.intValue();
    }
    return plain;
  }

  private JsonArray defaultHookDirs(Path root) {
    return new JsonArray().add(stockHooks.toString()).add(root.resolve(ADMIN_HOOKS).toString());
  }

  private JsonObject defaults(Path root) {
    return new JsonObject()
        .put("simulate", false)
        .put("dry-run", false)
        .put("hook-dirs", defaultHookDirs(root))
        .put("hook-timeout", 30)
        .put("recording-dir", "/var/lib/guesthook/recordings")
        .put("cache-dir", "/var/cache/guesthook/hooks")
        .put("log-level", "info")
        .put("strict", false);
  }

  /**
   * {@code GUESTHOOK_HOOK_TIMEOUT=5} becomes {@code hook-timeout: 5}; lists are colon-separated.
   */
  static JsonObject fromEnvironment(Map<String, String> environment) throws ConfigException {
    JsonObject out = new JsonObject();
    for (Map.Entry<String, String> variable : environment.entrySet()) {
      if (!variable.getKey().startsWith(ENV_PREFIX)) {
        continue;
      }
      String key =
          variable
              .getKey()
              .substring(ENV_PREFIX.length())
              .toLowerCase(Locale.ROOT)
              .replace('_', '-');
      String value = variable.getValue();
      switch (key) {
        case "hook-dirs" -> out.put(key, new JsonArray(List.of(value.split(":"))));
        case "simulate", "dry-run", "strict" ->
            out.put(key, parseBoolean(variable.getKey(), value));
        case "hooks", "vms", MetricsSetting.KEY ->
            throw new ConfigException(variable.getKey() + ": set this in the config file");
        default -> {
          if (!KEYS.contains(key)) {
            throw new ConfigException(
                "unknown environment variable "
                    + variable.getKey()
                    + "; known: "
                    + knownVariables());
          }
          out.put(key, value);
        }
      }
    }
    return out;
  }

  private static YamlNode.Mapping readFile(Path file) throws ConfigException {
    return SafeYaml.readFile(file, file.toString());
  }

  private static String knownVariables() {
    return KEYS.stream()
        .filter(k -> !FILE_ONLY.contains(k))
        .sorted()
        .map(k -> ENV_PREFIX + k.toUpperCase(Locale.ROOT).replace('-', '_'))
        .reduce((a, b) -> a + ", " + b)
        .orElse("");
  }

  private static boolean parseBoolean(String name, String value) throws ConfigException {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off", "" -> false;
      default ->
          throw new ConfigException(
              name + ": expected true or false (or 1/0, yes/no, on/off), got '" + value + "'");
    };
  }

  /** Remembers which layer set a key, so an error can point at the right place. */
  private record Sources(Path file, YamlNode.Mapping document, JsonObject env, JsonObject flags) {
    String of(String key) {
      if (flags.containsKey(key)) {
        return "--" + key;
      }
      if (env.containsKey(key)) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
      }
      YamlNode value = document.get(key);
      return (value == null ? file.toString() : value.mark().toString()) + ": " + key;
    }

    /** Whether the value came from the file, where a boolean is a YAML boolean, not a word. */
    boolean fromFile(String key) {
      return !flags.containsKey(key) && !env.containsKey(key) && document.get(key) != null;
    }
  }

  private Settings toSettings(
      JsonObject merged, YamlNode.Mapping document, Path root, Sources sources)
      throws ConfigException {
    List<String> warnings = new ArrayList<>();
    for (String key : merged.fieldNames()) {
      if (key.equals("root")) {
        warnings.add(
            sources.of(key) + ": ignored; the root can only be set with --root or GUESTHOOK_ROOT");
      } else if (!KEYS.contains(key)) {
        YamlNode.Mapping.Entry entry = document.entries().get(key);
        throw new ConfigException(
            (entry == null ? sources.of(key) : entry.keyMark() + ": " + key)
                + ": unknown key"
                + Suggestions.didYouMean(key, KEYS)
                + " (known: "
                + String.join(", ", new TreeSet<>(KEYS))
                + ")");
      }
    }
    List<Path> hookDirs = paths(merged, sources);
    Path adminHooks = root.resolve(ADMIN_HOOKS).toAbsolutePath().normalize();
    return new Settings(
        root,
        bool(merged, "simulate", sources),
        bool(merged, "dry-run", sources),
        hookDirs,
        // The admin's folder may not exist yet on a node that has only stock hooks; a folder the
        // admin
        // named (in the file, GUESTHOOK_HOOK_DIRS or --hooks) must.
        defaultHookDirs(root).equals(merged.getJsonArray("hook-dirs"))
            ? Set.of(adminHooks)
            : Set.of(),
        seconds(merged, sources),
        hostPath(root, merged, "recording-dir", sources),
        hostPath(root, merged, "cache-dir", sources),
        level(merged, sources),
        bool(merged, "strict", sources),
        Optional.ofNullable(merged.getValue("node")).map(Object::toString),
        mapping(document, "hooks"),
        guests(document),
        MetricsSetting.textfile(document, root),
        List.copyOf(warnings),
        HookGlobals.forSite(root.resolve(HookGlobals.SITE_FOLDER)));
  }

  private static YamlNode.Mapping mapping(YamlNode.Mapping document, String key)
      throws ConfigException {
    YamlNode value = document.get(key);
    if (value == null || value instanceof YamlNode.Scalar scalar && scalar.value() == null) {
      return YamlNode.Mapping.empty(document.mark());
    }
    if (value instanceof YamlNode.Mapping mapping) {
      return mapping;
    }
    throw new ConfigException(
        value.mark() + ": " + key + ": expected a mapping, found " + value.describe());
  }

  /** {@code vms}: guest ids, each a mapping of hook names to settings. */
  private static YamlNode.Mapping guests(YamlNode.Mapping document) throws ConfigException {
    YamlNode.Mapping vms = mapping(document, "vms");
    for (Map.Entry<String, YamlNode.Mapping.Entry> guest : vms.entries().entrySet()) {
      try {
        VmId.parse(guest.getKey());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            guest.getValue().keyMark() + ": vms." + guest.getKey() + ": " + e.getMessage());
      }
      YamlNode hooks = guest.getValue().value();
      if (!(hooks instanceof YamlNode.Mapping)) {
        throw new ConfigException(
            hooks.mark()
                + ": vms."
                + guest.getKey()
                + ": expected a mapping of hook names to"
                + " their settings, found "
                + hooks.describe());
      }
    }
    return vms;
  }

  /** A folder guesthook writes as root: on the host under --root, never above it ({@code ..}). */
  private static Path hostPath(Path root, JsonObject merged, String key, Sources sources)
      throws ConfigException {
    String absolute = string(merged, key, sources);
    Path base = root.toAbsolutePath().normalize();
    Path path = base.resolve(absolute.replaceFirst("^/+", "")).normalize();
    if (!path.startsWith(base)) {
      throw new ConfigException(
          sources.of(key)
              + ": '"
              + absolute
              + "' leads out of the root "
              + root
              + "; fix: give a path on the host without '..', such as /var/lib/guesthook/recordings");
    }
    return path;
  }

  private static boolean bool(JsonObject config, String key, Sources sources)
      throws ConfigException {
    Object value = config.getValue(key);
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String s && !sources.fromFile(key)) {
      return parseBoolean(sources.of(key), s); // an environment variable or flag is text
    }
    String found =
        sources.fromFile(key) ? sources.document().get(key).describe() : "'" + value + "'";
    throw new ConfigException(
        sources.of(key)
            + ": expected true or false, found "
            + found
            + "; fix: write true or false, without quotes");
  }

  private static String string(JsonObject config, String key, Sources sources)
      throws ConfigException {
    Object value = config.getValue(key);
    if (value instanceof String s && !s.isBlank()) {
      return s;
    }
    throw new ConfigException(sources.of(key) + ": expected a path, got '" + value + "'");
  }

  private static JsonObject object(JsonObject config, String key, Sources sources)
      throws ConfigException {
    Object value = config.getValue(key);
    if (value == null) {
      return new JsonObject();
    }
    if (value instanceof JsonObject object) {
      return object;
    }
    throw new ConfigException(sources.of(key) + ": expected a mapping, got '" + value + "'");
  }

  private static List<Path> paths(JsonObject config, Sources sources) throws ConfigException {
    Object value = config.getValue("hook-dirs");
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw new ConfigException(
          sources.of("hook-dirs") + ": expected a list of folders, got '" + value + "'");
    }
    List<Path> dirs = new ArrayList<>();
    for (Object dir : array) {
      if (!(dir instanceof String s) || s.isBlank()) {
        throw new ConfigException(
            sources.of("hook-dirs") + ": expected folder paths, got '" + dir + "'");
      }
      dirs.add(Path.of(s).toAbsolutePath().normalize());
    }
    return dirs;
  }

  private static Duration seconds(JsonObject config, Sources sources) throws ConfigException {
    Object value = config.getValue("hook-timeout");
    double seconds;
    try {
      seconds =
          value instanceof Number n ? n.doubleValue() : Double.parseDouble(String.valueOf(value));
    } catch (NumberFormatException e) {
      seconds = -1;
    }
    if (!(seconds > 0) || seconds > 24 * 3600) {
      throw new ConfigException(
          sources.of("hook-timeout")
              + ": expected seconds above 0, at most 86400 (a day), got '"
              + value
              + "'");
    }
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  private static HookLog.Level level(JsonObject config, Sources sources) throws ConfigException {
    try {
      return HookLog.Level.parse(String.valueOf(config.getValue("log-level")));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(sources.of("log-level") + ": " + e.getMessage());
    }
  }
}
