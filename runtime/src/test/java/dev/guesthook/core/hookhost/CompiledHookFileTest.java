package dev.guesthook.core.hookhost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The companions java.beans and Groovy look for beside a hook file's own classes (BeanInfo,
 * Customizer, custom meta class) are the file's: the classpath is not searched for them.
 */
class CompiledHookFileTest {
  private static final String SCRIPT = "guesthook_hook_mdev";
  private static final String CLOSURE = SCRIPT + "$_run_closure1";

  /** A parent that notes every name it is asked for and has none of them. */
  static final class AskedParent extends ClassLoader {
    final List<String> asked = new CopyOnWriteArrayList<>();

    AskedParent() {
      super(null);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      asked.add(name);
      throw new ClassNotFoundException(name);
    }
  }

  private final CompiledHookFile file =
      new CompiledHookFile(SCRIPT, Map.of(SCRIPT, new byte[0], CLOSURE, new byte[0]));

  @Test
  void theCompanionsOfItsOwnClassesAreNotAskedOfTheParent() {
    AskedParent parent = new AskedParent();
    ClassLoader loader = file.loader(parent);
    for (String companion :
        List.of(
            SCRIPT + "BeanInfo",
            CLOSURE + "BeanInfo",
            SCRIPT + "Customizer",
            "groovy.runtime.metaclass." + CLOSURE + "MetaClass")) {
      assertThrows(
          ClassNotFoundException.class, () -> Class.forName(companion, false, loader), companion);
    }
    assertEquals(List.of(), parent.asked);
  }

  @Test
  void everyOtherNameIsStillAskedOfTheParentFirst() {
    AskedParent parent = new AskedParent();
    ClassLoader loader = file.loader(parent);
    for (String other :
        List.of(
            "groovy.lang.Closure", "SomeOtherBeanInfo", "groovy.runtime.metaclass.FooMetaClass")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(other, false, loader), other);
    }
    assertEquals(
        List.of(
            "groovy.lang.Closure", "SomeOtherBeanInfo", "groovy.runtime.metaclass.FooMetaClass"),
        parent.asked);
  }
}
