package dev.guesthook.core.hookhost;

import groovy.lang.Binding;
import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import groovy.lang.MissingMethodException;
import groovy.lang.MissingPropertyException;
import groovy.lang.Script;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.codehaus.groovy.runtime.InvokerHelper;

/**
 * The base class of every compiled hook file. Running the file's body only declares hooks: {@code
 * hook('vf-mac') { order 20; on('pre-start') { ev -> ... } }}. Nothing touches the host until the
 * dispatcher runs a handler.
 */
public abstract class HookScript extends Script {
  private final List<HookSpec> declared = new ArrayList<>();
  private String origin = "";

  public HookSpec hook(
      String name,
      @DelegatesTo(value = HookSpec.class, strategy = Closure.DELEGATE_FIRST) Closure<?> body) {
    HookSpec spec = new HookSpec(name, origin);
    Closure<?> declaration = (Closure<?>) body.clone();
    declaration.setDelegate(spec);
    declaration.setResolveStrategy(Closure.DELEGATE_FIRST);
    declaration.call();
    spec.checkComplete();
    declared.add(spec);
    return spec;
  }

  /**
   * Lets helper methods defined in the hook file use the same names as handlers ({@code write},
   * {@code settings}, {@code log}, ...): while a handler or undo step runs on a thread, names the
   * script does not define resolve against that run's context.
   */
  private static final ThreadLocal<HookContext> CURRENT = new ThreadLocal<>();

  static <T> T withContext(HookContext context, Callable<T> work) throws Exception {
    HookContext previous = CURRENT.get();
    CURRENT.set(context);
    try {
      return work.call();
    } finally {
      CURRENT.set(previous);
    }
  }

  public Object methodMissing(String name, Object args) {
    HookContext context = CURRENT.get();
    if (context == null) {
      throw new MissingMethodException(name, getClass(), (Object[]) args);
    }
    return InvokerHelper.invokeMethod(context, name, args);
  }

  /**
   * As {@link Script#getProperty}, the binding first and then the script's own properties (and
   * {@link #propertyMissing}), without the exception Groovy's version throws and catches for every
   * name the binding does not hold: a helper method reading {@code vmid}, {@code pve} or {@code
   * sriov} made one each time, its stack trace filled over the whole hook call (15 per event of
   * runtime/bench/replay.sh, the stock hooks' helpers).
   */
  @Override
  public Object getProperty(String property) {
    Binding binding = getBinding();
    return binding.hasVariable(property)
        ? binding.getVariable(property)
        : getMetaClass().getProperty(this, property);
  }

  public Object propertyMissing(String name) {
    HookContext context = CURRENT.get();
    if (context == null) {
      throw new MissingPropertyException(name, getClass());
    }
    return InvokerHelper.getProperty(context, name);
  }

  void origin(String hookFile) {
    this.origin = hookFile;
  }

  List<HookSpec> declared() {
    return declared;
  }
}
