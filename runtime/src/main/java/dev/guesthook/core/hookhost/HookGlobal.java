package dev.guesthook.core.hookhost;

import java.util.Objects;

/**
 * One name in every Groovy hook's scope, as Jenkins' {@code GlobalVariable} is one in a pipeline's:
 * a property ({@code pci.unbind(...)}) or a function ({@code pciAddress('0000:01:00.0')}) whose
 * value is made from the hook's invocation the first time the hook uses the name, then kept for
 * that invocation. A function's value is anything Groovy can {@code call}: a {@link HookFunction},
 * a closure, or an object with {@code call(...)} methods.
 */
public record HookGlobal(String name, Kind kind, Value value) {
  public enum Kind {
    PROPERTY,
    FUNCTION
  }

  /** Makes the value for one invocation; what it throws reaches the hook as it was thrown. */
  @FunctionalInterface
  public interface Value {
    Object of(HookScope scope) throws Exception;
  }

  public HookGlobal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(value, "value");
  }

  public static HookGlobal property(String name, Value value) {
    return new HookGlobal(name, Kind.PROPERTY, value);
  }

  public static HookGlobal function(String name, Value value) {
    return new HookGlobal(name, Kind.FUNCTION, value);
  }
}
