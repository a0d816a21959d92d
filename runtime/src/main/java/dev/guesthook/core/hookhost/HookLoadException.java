package dev.guesthook.core.hookhost;

/** A hook file that cannot be turned into hooks; the message starts with file:line:column. */
final class HookLoadException extends Exception {
  HookLoadException(String message) {
    super(message);
  }
}
