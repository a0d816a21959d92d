package dev.guesthook.core.hookhost;

import java.util.List;

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
}
