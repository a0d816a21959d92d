package dev.guesthook.core.hookhost;

import dev.guesthook.yaml.ConfigException;
import groovy.lang.GroovyObject;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;

/**
 * The names contributions put into hooks' scope, checked once: a name the core already gives hooks
 * (a {@link HookContext} method or property, {@code hook}) or that another contribution gives is
 * refused, so no hook can mean one thing and get another. Built once per process from the service
 * entries on the classpath ({@link #installed}), or from an explicit list (tests).
 */
public final class HookGlobals {
  private static final String CORE = "the core (HookContext)";
  private static final Pattern IMPORT_LINE =
      Pattern.compile("(?m)^([ \\t]*import[ \\t]+(?:static[ \\t]+)?)([\\w.]+(?:\\.\\*)?)");
  private static HookGlobals installed;

  private final Map<String, HookGlobal> properties = new HashMap<>();
  private final Map<String, HookGlobal> functions = new HashMap<>();
  private final Set<String> imports = new TreeSet<>();
  private final Set<String> starImports = new TreeSet<>();
  private final Map<String, String> movedImports = new TreeMap<>();

  private HookGlobals(List<HookScopeContribution> contributions) {
    Map<String, String> owners = new HashMap<>();
    coreNames().forEach(name -> owners.put(name, CORE));
    for (HookScopeContribution contribution : contributions) {
      String owner = contribution.getClass().getName();
      for (HookGlobal global : contribution.globals()) {
        if (!SourceVersion.isIdentifier(global.name()) || SourceVersion.isKeyword(global.name())) {
          throw new IllegalStateException(
              "hook scope: "
                  + owner
                  + " gives '"
                  + global.name()
                  + "', which a hook cannot"
                  + " name; use a Groovy identifier such as 'inventory'");
        }
        String previous = owners.putIfAbsent(global.name(), owner);
        if (previous != null) {
          throw new IllegalStateException(
              "hook scope: "
                  + owner
                  + " gives '"
                  + global.name()
                  + "', which "
                  + previous
                  + " already gives; a name in hooks' scope has one owner, so rename one of them");
        }
        (global.kind() == HookGlobal.Kind.PROPERTY ? properties : functions)
            .put(global.name(), global);
      }
      contribution.imports().forEach(type -> imports.add(type.getName()));
      starImports.addAll(contribution.starImports());
      movedImports.putAll(contribution.movedImports());
    }
  }

  /**
   * The contributions whose service entries are on the runtime's classpath; refused once, at first
   * use, on a clash.
   */
  public static synchronized HookGlobals installed() {
    if (installed == null) {
      installed = discover(HookGlobals.class.getClassLoader());
    }
    return installed;
  }

  /** Where a node keeps the jars of its own contributions, under the root. */
  public static final String SITE_FOLDER = "etc/guesthook/hookapi.d";

  private static final Map<Path, HookGlobals> BY_SITE_FOLDER = new HashMap<>();

  /**
   * The installed contributions and those of the jars in {@code folder} (absent: none). The jars
   * are code the root runtime will run, so the folder and each jar must pass the rule hook files
   * pass; a jar that is refused, unreadable, names a missing class or clashes is a configuration
   * error naming the jar or the clash, never a half-loaded scope. Read once per process and folder.
   */
  public static synchronized HookGlobals forSite(Path folder) throws ConfigException {
    HookGlobals known = BY_SITE_FOLDER.get(folder);
    if (known != null) {
      return known;
    }
    List<Path> jars = siteJars(folder);
    HookGlobals globals;
    try {
      globals =
          jars.isEmpty()
              ? installed()
              : discover(new URLClassLoader(urls(jars), HookGlobals.class.getClassLoader()));
    } catch (ServiceConfigurationError | RuntimeException | LinkageError refused) {
      throw new ConfigException(
          folder
              + ": "
              + withCauses(refused)
              + "; fix: correct or remove the jar, then run guesthook doctor");
    }
    BY_SITE_FOLDER.put(folder, globals);
    return globals;
  }

  /** A provider that could not be made says why only in its cause ("could not be instantiated"). */
  private static String withCauses(Throwable refused) {
    StringBuilder why = new StringBuilder(String.valueOf(refused.getMessage()));
    for (Throwable cause = refused.getCause(); cause != null; cause = cause.getCause()) {
      why.append(": ")
          .append(cause.getClass().getSimpleName())
          .append(": ")
          .append(cause.getMessage());
    }
    return why.toString();
  }

  private static List<Path> siteJars(Path folder) throws ConfigException {
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    refuseIfUnsafe(folder);
    List<Path> jars;
    try (Stream<Path> entries = Files.list(folder)) {
      jars = entries.filter(path -> path.toString().endsWith(".jar")).sorted().toList();
    } catch (IOException e) {
      throw new ConfigException(folder + ": cannot list it: " + e.getMessage());
    }
    for (Path jar : jars) {
      refuseIfUnsafe(jar);
    }
    return jars;
  }

  private static void refuseIfUnsafe(Path path) throws ConfigException {
    Optional<String> unsafe = FileSafety.problem(path);
    if (unsafe.isPresent()) {
      throw new ConfigException("refused: " + unsafe.get());
    }
  }

  private static URL[] urls(List<Path> jars) {
    return jars.stream().map(HookGlobals::url).toArray(URL[]::new);
  }

  private static URL url(Path jar) {
    try {
      return jar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(jar + ": " + e.getMessage(), e);
    }
  }

  /** The contributions a class loader's service entries name (a site's jar among them). */
  public static HookGlobals discover(ClassLoader loader) {
    List<HookScopeContribution> found = new ArrayList<>();
    ServiceLoader.load(HookScopeContribution.class, loader).forEach(found::add);
    return of(found);
  }

  public static HookGlobals of(List<HookScopeContribution> contributions) {
    return new HookGlobals(contributions);
  }

  HookGlobal property(String name) {
    return properties.get(name);
  }

  HookGlobal function(String name) {
    return functions.get(name);
  }

  /** Every name hooks get in their scope: the core's and each contribution's. */
  Set<String> scopeNames() {
    Set<String> names = new TreeSet<>(coreNames());
    names.addAll(properties.keySet());
    names.addAll(functions.keySet());
    return names;
  }

  Set<String> imports() {
    return imports;
  }

  Set<String> starImports() {
    return starImports;
  }

  /**
   * A hook file's source with each import line that names a moved class or package naming it where
   * it is now; nothing else of the file is touched, and lines keep their numbers.
   */
  String withMovedImports(String source) {
    if (movedImports.isEmpty() || !source.contains("import")) {
      return source;
    }
    Matcher line = IMPORT_LINE.matcher(source);
    StringBuilder out = new StringBuilder();
    while (line.find()) {
      String named = line.group(2);
      String moved = moved(named);
      line.appendReplacement(out, Matcher.quoteReplacement(line.group(1) + moved));
    }
    line.appendTail(out);
    return out.toString();
  }

  /** The name where it is now: the class itself moved, or the package it is in (the longest). */
  private String moved(String named) {
    for (String prefix = named; ; prefix = prefix.substring(0, prefix.lastIndexOf('.'))) {
      String now = movedImports.get(prefix);
      if (now != null) {
        return now + named.substring(prefix.length());
      }
      if (prefix.indexOf('.') < 0) {
        return named;
      }
    }
  }

  /** What hook files are compiled against, for the compiled-hook cache's key. */
  String fingerprint() {
    return "imports="
        + String.join(",", imports)
        + ";star="
        + String.join(",", starImports)
        + ";moved="
        + movedImports;
  }

  /**
   * The names hooks get from the core itself: HookContext's public methods and properties, and
   * {@code hook}.
   */
  static Set<String> coreNames() {
    Set<String> groovyObject =
        Arrays.stream(GroovyObject.class.getMethods())
            .map(Method::getName)
            .collect(Collectors.toSet());
    Set<String> names = new TreeSet<>(Set.of("hook"));
    for (Method method : HookContext.class.getDeclaredMethods()) {
      String name = method.getName();
      if (Modifier.isPublic(method.getModifiers()) && !groovyObject.contains(name)) {
        names.add(scopeName(name));
      }
    }
    return names;
  }

  /**
   * {@code getPci} and {@code isDryRun} are the properties {@code pci} and {@code dryRun}; other
   * methods keep their name.
   */
  private static String scopeName(String method) {
    for (String prefix : List.of("get", "is")) {
      if (method.length() > prefix.length()
          && method.startsWith(prefix)
          && Character.isUpperCase(method.charAt(prefix.length()))) {
        String rest = method.substring(prefix.length());
        return rest.substring(0, 1).toLowerCase(Locale.ROOT) + rest.substring(1);
      }
    }
    return method;
  }
}
