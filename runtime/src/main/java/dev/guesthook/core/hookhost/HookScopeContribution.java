package dev.guesthook.core.hookhost;

import java.util.List;
import java.util.Map;

/**
 * The hook DSL's extension point: a set of names put into every Groovy hook's scope, and the
 * imports hook files get without writing them. Found with {@link java.util.ServiceLoader} (a jar
 * with {@code META-INF/services/dev.guesthook.core.hookhost.HookScopeContribution}); the domain's
 * hook API is one, a site's own objects another. A name has one owner: a clash is refused at
 * startup.
 */
public interface HookScopeContribution {
  List<HookGlobal> globals();

  /** Classes hook files may name without an import line. */
  default List<Class<?>> imports() {
    return List.of();
  }

  /** Packages whose classes hook files may name without an import line. */
  default List<String> starImports() {
    return List.of();
  }

  /**
   * Classes and packages this contribution's classes were known by before they moved (old name to
   * new): a hook file's import line naming an old one still compiles, so an upgrade that moves a
   * class does not break a hook file that imported it.
   */
  default Map<String, String> movedImports() {
    return Map.of();
  }
}
