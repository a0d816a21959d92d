package dev.guesthook.core.hookhost;

/** One line a hook's {@code check { }} block says about the guest: pass, warn or fail. */
public record HookCheck(Level level, String text) {
  public enum Level {
    PASS,
    WARN,
    FAIL
  }
}
