package dev.guesthook.core.hookhost;

/**
 * A one-argument function in hooks' scope, e.g. {@code mac(text)}; Groovy calls it by its {@code
 * call}.
 */
@FunctionalInterface
public interface HookFunction {
  Object call(Object argument);
}
