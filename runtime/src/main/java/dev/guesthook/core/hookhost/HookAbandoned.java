package dev.guesthook.core.hookhost;

/**
 * Ends a hook whose time is up. An {@link Error}, not an exception, so a hook's own {@code catch
 * (Exception e)} around a loop body cannot swallow it and spin on.
 */
public final class HookAbandoned extends Error {
  HookAbandoned() {
    super(
        "the hook was abandoned (its timeout passed) or interrupted; it must stop",
        null,
        false,
        false);
  }
}
