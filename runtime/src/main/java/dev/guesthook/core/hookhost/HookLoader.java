package dev.guesthook.core.hookhost;

import dev.guesthook.core.dispatch.Dispatcher;
import dev.guesthook.core.dispatch.Failures;
import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.hookhost.HookCatalog.Notice;
import dev.guesthook.core.hookhost.HookCatalog.Severity;
import dev.guesthook.id.VmId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds and loads the hooks for a run. Hooks come from each hook folder, then from each folder's
 * per-guest subfolder ({@code <folder>/<vmid>/}); a file with the same name in a later place
 * replaces the earlier one (admin hooks override stock hooks), and an empty file or a link to
 * /dev/null masks it. Files ending in {@code .groovy} are hook DSL files; other files are run like
 * a Proxmox hookscript, and fail their phases when they are not executable, as Proxmox's would.
 * Refused and broken files never stop the other hooks from loading.
 */
public final class HookLoader {
  private static final List<String> IGNORED_SUFFIXES =
      List.of(
          "~", ".bak", ".orig", ".swp", ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".disabled", ".md");

  private final List<Path> directories;
  private final Path cacheDirectory;
  private final Duration executableTimeout;
  private final HookGlobals globals;

  /** Shared by every load through this loader: a resident runtime's guests get the same classes. */
  private final ScriptClasses scriptClasses = new ScriptClasses();

  /**
   * Hooks get the names of the contributions installed on the classpath (see {@link
   * HookGlobals#installed}).
   */
  public HookLoader(List<Path> directories, Path cacheDirectory, Duration executableTimeout) {
    this(directories, cacheDirectory, executableTimeout, HookGlobals.installed());
  }

  public HookLoader(
      List<Path> directories,
      Path cacheDirectory,
      Duration executableTimeout,
      HookGlobals globals) {
    this.directories = List.copyOf(directories);
    this.cacheDirectory = cacheDirectory;
    this.executableTimeout = executableTimeout;
    this.globals = globals;
  }

  /** The hooks for one guest (global and its own), or only the global ones when vmid is empty. */
  public HookCatalog load(Optional<VmId> vmid) {
    List<Notice> notices = new ArrayList<>();
    Map<String, Path> files = discover(vmid, notices);
    CompiledHookCache cache = new CompiledHookCache(cacheDirectory, new GroovyCompiler(globals));
    List<Hook> hooks = new ArrayList<>();
    Map<String, String> definedIn = new HashMap<>();
    Map<String, String> texts = new LinkedHashMap<>();
    for (Path file : files.values()) {
      for (Hook hook : loadFile(file, cache, notices, texts)) {
        String previous = definedIn.putIfAbsent(hook.name(), hook.origin());
        if (previous == null) {
          hooks.add(hook);
        } else {
          String error = file + ": hook name '" + hook.name() + "' is already used by " + previous;
          notices.add(new Notice(file.toString(), Severity.ERROR, error));
          hooks.add(
              new BrokenHook(
                  hook.name() + "@" + file.getFileName(), file.toString(), hook.phases(), error));
        }
      }
    }
    hooks.sort(Dispatcher.RUN_ORDER);
    return new HookCatalog(
        List.copyOf(hooks),
        List.copyOf(notices),
        cache.compiledCount(),
        cache.reusedCount(),
        cache.unusableReason(),
        Map.copyOf(texts));
  }

  /**
   * The hooks of Groovy files as they were in the given texts (by file), for a resident runtime
   * that let an idle guest's catalog go and now finds a file that no longer loads: the version that
   * loaded before stays active. A text that does not load (any more) gives no hook.
   */
  public HookCatalog loadTexts(Map<String, String> textsByFile) {
    CompiledHookCache cache = new CompiledHookCache(cacheDirectory, new GroovyCompiler(globals));
    List<Hook> hooks = new ArrayList<>();
    Map<String, String> texts = new LinkedHashMap<>();
    textsByFile.forEach(
        (file, text) -> {
          try {
            Path path = Path.of(file);
            hooks.addAll(declare(path, scriptClasses.of(path, text, cache)));
            texts.put(file, text);
          } catch (Exception | LinkageError e) {
            // Nothing to fall back on: the file's own error stands.
          }
        });
    return new HookCatalog(
        List.copyOf(hooks),
        List.of(),
        cache.compiledCount(),
        cache.reusedCount(),
        cache.unusableReason(),
        Map.copyOf(texts));
  }

  /**
   * Marks the compiled-hook cache's entries of these texts (by file) as used today: a resident
   * runtime's loaded hooks run from memory, and their entries would otherwise be pruned as unused
   * after 30 days, to be compiled again at its next start or by a one-shot phase.
   */
  public void keepCached(Collection<Map<String, String>> textsByFile) {
    // Guests share their texts (the stock hooks, copies of one file): each is hashed once.
    Set<Map.Entry<String, String>> distinct = new HashSet<>();
    for (Map<String, String> texts : textsByFile) {
      texts.forEach(
          (file, text) -> distinct.add(Map.entry(Path.of(file).getFileName().toString(), text)));
    }
    CompiledHookCache cache = new CompiledHookCache(cacheDirectory, new GroovyCompiler(globals));
    for (Map.Entry<String, String> text : distinct) {
      cache.markUsed(cache.key(text.getKey(), text.getValue()));
    }
  }

  private Map<String, Path> discover(Optional<VmId> vmid, List<Notice> notices) {
    Map<String, Path> byName = new LinkedHashMap<>();
    List<Path> places = new ArrayList<>(directories);
    vmid.ifPresent(id -> directories.forEach(dir -> places.add(dir.resolve(id.toString()))));
    for (Path dir : places) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path file : entries.sorted().toList()) {
          consider(file, byName, notices);
        }
      } catch (IOException e) {
        notices.add(
            new Notice(
                dir.toString(), Severity.ERROR, "cannot list " + dir + ": " + e.getMessage()));
      }
    }
    return byName;
  }

  private static void consider(Path file, Map<String, Path> byName, List<Notice> notices) {
    String name = file.getFileName().toString();
    if (name.startsWith(".")
        || IGNORED_SUFFIXES.stream().anyMatch(name::endsWith)
        || Files.isDirectory(file)) {
      return;
    }
    if (isMask(file)) {
      byName.remove(name);
      notices.add(new Notice(file.toString(), Severity.IGNORED, HookCatalog.MASKS + name));
      return;
    }
    byName.remove(name); // re-insert so a later folder's file also takes the later place
    byName.put(name, file);
  }

  private static boolean isMask(Path file) {
    try {
      return file.toRealPath().toString().equals("/dev/null") || Files.size(file) == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private List<Hook> loadFile(
      Path file, CompiledHookCache cache, List<Notice> notices, Map<String, String> texts) {
    Optional<String> unsafe = FileSafety.problem(file);
    if (unsafe.isPresent()) {
      String error = "refused: " + unsafe.get();
      notices.add(new Notice(file.toString(), Severity.ERROR, error));
      return List.of(
          new BrokenHook(
              file.getFileName().toString(), file.toString(), EnumSet.allOf(Phase.class), error));
    }
    if (!file.getFileName().toString().endsWith(".groovy")) {
      if (!Files.isExecutable(file)) {
        return broken(file, "", notExecutable(file), notices);
      }
      return List.of(new ExecutableHook(file, executableTimeout));
    }
    String source;
    try {
      source = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return broken(file, "", file + ": cannot read: " + e.getMessage(), notices);
    }
    try {
      List<Hook> declared = declare(file, scriptClasses.of(file, source, cache));
      texts.put(file.toString(), source.intern());
      return declared;
    } catch (HookLoadException e) {
      String where = file.getParent() + "/";
      return broken(file, source, where + e.getMessage(), notices);
    } catch (Exception | LinkageError e) {
      return broken(file, source, file + ": " + Failures.describe(e, file.toString()), notices);
    }
  }

  /** Runs the file's body, which only declares hooks; fails if it declares none. */
  private List<Hook> declare(Path file, Class<? extends HookScript> scriptClass) throws Exception {
    HookScript script = scriptClass.getDeclaredConstructor().newInstance();
    script.origin(file.toString());
    script.run();
    if (script.declared().isEmpty()) {
      throw new IllegalStateException(
          "declares no hook: add hook('name') { on('pre-start') { ev -> ... } }");
    }
    return script.declared().stream().map(spec -> (Hook) new GroovyHook(spec, globals)).toList();
  }

  /**
   * Proxmox aborts a start whose hookscript it cannot execute (PVE::GuestHelpers::check_hookscript
   * dies, and exec_hookscript dies with it at pre-start), so such a file fails its phases here too,
   * in Proxmox's words, with the two ways out.
   */
  private static String notExecutable(Path file) {
    return "script '"
        + file
        + "' is not executable: run 'chmod +x "
        + file
        + "' to run it as a hookscript, "
        + "or rename it to end in .disabled so guesthook ignores it";
  }

  private static List<Hook> broken(Path file, String source, String error, List<Notice> notices) {
    notices.add(new Notice(file.toString(), Severity.ERROR, error));
    return List.of(
        new BrokenHook(
            file.getFileName().toString(), file.toString(), phasesNamedIn(source), error));
  }

  /** A broken file fails the phases it names; when it names none, every phase, to be safe. */
  static Set<Phase> phasesNamedIn(String source) {
    Set<Phase> named = EnumSet.noneOf(Phase.class);
    for (Phase phase : Phase.values()) {
      if (source.contains("'" + phase.wireName() + "'")
          || source.contains("\"" + phase.wireName() + "\"")) {
        named.add(phase);
      }
    }
    return named.isEmpty() ? EnumSet.allOf(Phase.class) : named;
  }
}
