package dev.guesthook.core.hookhost;

import dev.guesthook.core.dispatch.HookInvocation;

/**
 * What a {@link HookGlobal} makes its value from: one hook's invocation and the other names in its
 * scope.
 */
public interface HookScope {
  /** The event, the (traced) host, the hook's log and settings, and the domain's services. */
  HookInvocation invocation();

  /**
   * Another contributed name's value in the same invocation, e.g. {@code pci} taken from {@code
   * devices}.
   */
  Object valueOf(String name) throws Exception;
}
