package dev.guesthook.core.hookhost;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The hook classes one loader has defined, one per hook content (the file's name and text, as the
 * compiled-hook cache keys it), so that a resident runtime's guests share them wherever the file
 * lies: every guest runs the stock hooks, and per-guest folders often hold copies of one text. A
 * hook text's classes with their Groovy meta classes cost 150-200 KB of heap (measured: serve with
 * 200 guests each with a text of its own kept 39 MB more live heap than with two hooks), and each
 * guest still gets its own instance of the script (its own hook declarations and script-level
 * values), as in a process of its own. A changed file gets a new class; a class no loaded hook uses
 * any more is held only weakly here, so it goes with the last hook made from it, and its entry with
 * it (JDK 17 may keep the last class a method handle was adapted to, one per handle: bounded). Two
 * guests loading a new text at once may each define it; one of the two classes is kept.
 */
final class ScriptClasses {
  /** Weak, so that this cache never keeps alive a class no loaded hook uses. */
  private static final class Defined extends WeakReference<Class<? extends HookScript>> {
    final String contentKey;

    Defined(
        String contentKey,
        Class<? extends HookScript> scriptClass,
        ReferenceQueue<Class<? extends HookScript>> released) {
      super(scriptClass, released);
      this.contentKey = contentKey;
    }
  }

  private final Map<String, Defined> byContent = new ConcurrentHashMap<>();
  private final ReferenceQueue<Class<? extends HookScript>> released = new ReferenceQueue<>();

  /**
   * The script class for this content of the file, defined from the cache or the compiler on first
   * use.
   */
  Class<? extends HookScript> of(Path file, String source, CompiledHookCache cache)
      throws Exception {
    forgetReleased();
    String fileName = file.getFileName().toString();
    String key = cache.key(fileName, source);
    Defined known = byContent.get(key);
    Class<? extends HookScript> shared = known == null ? null : known.get();
    if (shared != null) {
      return shared;
    }
    Class<? extends HookScript> defined = define(key, fileName, source, cache);
    byContent.put(key, new Defined(key, defined, released));
    return defined;
  }

  private void forgetReleased() {
    for (Reference<?> gone; (gone = released.poll()) != null; ) {
      byContent.remove(((Defined) gone).contentKey, gone);
    }
  }

  private static Class<? extends HookScript> define(
      String key, String fileName, String source, CompiledHookCache cache) throws Exception {
    try {
      return define(cache.load(key, fileName, source));
    } catch (LinkageError linkedAgainstWhatMoved) {
      // An entry an older guesthook compiled (the cache outlives upgrades) may extend or name
      // classes that are gone: compiled again, it links against this runtime's.
      return define(cache.compileAgain(key, fileName, source));
    }
  }

  private static Class<? extends HookScript> define(CompiledHookFile compiled)
      throws ClassNotFoundException {
    return compiled
        .loader(HookLoader.class.getClassLoader())
        .loadClass(compiled.scriptClass())
        .asSubclass(HookScript.class);
  }
}
