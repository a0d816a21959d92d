package dev.guesthook.core.hookhost;

import java.util.Map;

/**
 * The classes one hook file compiles to: the script class and its closures, as class-file bytes.
 */
record CompiledHookFile(String scriptClass, Map<String, byte[]> classes) {
  ClassLoader loader(ClassLoader parent) {
    return new ClassLoader(parent) {
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
