package dev.guesthook.core.hookhost;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hook classes one loader has defined, one per hook file's current content, so that a resident
 * runtime's guests share them: every guest runs the stock hooks, and a class with its Groovy meta
 * class costs about a megabyte of heap, which 200 guests each loading their own would multiply past
 * any sane bound. Each guest still gets its own instance of the script (its own hook declarations
 * and script-level values), as in a process of its own. A file whose content changed gets a new
 * class; the old one goes once no loaded hook uses it. Two guests loading a new file at once may
 * each define it; one of the two classes is kept.
 */
final class ScriptClasses {
  private record Defined(String contentKey, Class<? extends HookScript> scriptClass) {}

  private final Map<Path, Defined> byFile = new ConcurrentHashMap<>();

  /**
   * The script class for this content of the file, defined from the cache or the compiler on first
   * use.
   */
  Class<? extends HookScript> of(Path file, String source, CompiledHookCache cache)
      throws Exception {
    String key = cache.key(file.getFileName().toString(), source);
    Defined known = byFile.get(file);
    if (known != null && known.contentKey().equals(key)) {
      return known.scriptClass();
    }
    String fileName = file.getFileName().toString();
    Class<? extends HookScript> defined;
    try {
      defined = define(cache.load(fileName, source));
    } catch (LinkageError linkedAgainstWhatMoved) {
      // An entry an older guesthook compiled (the cache outlives upgrades) may extend or name
      // classes that are gone: compiled again, it links against this runtime's.
      defined = define(cache.compileAgain(fileName, source));
    }
    byFile.put(file, new Defined(key, defined));
    return defined;
  }

  private static Class<? extends HookScript> define(CompiledHookFile compiled)
      throws ClassNotFoundException {
    return compiled
        .loader(HookLoader.class.getClassLoader())
        .loadClass(compiled.scriptClass())
        .asSubclass(HookScript.class);
  }
}
