package dev.guesthook.core.hookhost;

import java.util.Map;

/**
 * The classes one hook file compiles to: the script class and its closures, as class-file bytes.
 */
record CompiledHookFile(String scriptClass, Map<String, byte[]> classes) {
  /**
   * The names java.beans and Groovy look for beside every class they meet (its BeanInfo, its
   * Customizer, a custom meta class): for the file's own classes they are the file's, so one it did
   * not compile does not exist. Asked of the parent loader instead, each of these misses went
   * through all 28 jars of the classpath (measured: 9% of a one-shot phase's Java samples, 8 of its
   * 56 MB allocated).
   */
  boolean namesMissingOwnCompanion(String name) {
    if (classes.containsKey(name)) {
      return false;
    }
    return companionOf(name, "", "BeanInfo")
        || companionOf(name, "", "Customizer")
        || companionOf(name, "groovy.runtime.metaclass.", "MetaClass");
  }

  private boolean companionOf(String name, String prefix, String suffix) {
    return name.startsWith(prefix)
        && name.endsWith(suffix)
        && classes.containsKey(name.substring(prefix.length(), name.length() - suffix.length()));
  }

  ClassLoader loader(ClassLoader parent) {
    return new ClassLoader(parent) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (namesMissingOwnCompanion(name)) {
          throw new ClassNotFoundException(name);
        }
        return super.loadClass(name, resolve);
      }

      @Override
      protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] bytes = classes.get(name);
        if (bytes == null) {
          throw new ClassNotFoundException(name);
        }
        return defineClass(name, bytes, 0, bytes.length);
      }
    };
  }
}
