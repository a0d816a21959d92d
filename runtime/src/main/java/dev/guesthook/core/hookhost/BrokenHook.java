package dev.guesthook.core.hookhost;

import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.dispatch.HookInvocation;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.settings.SettingsSchema;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * A hook file that could not be loaded. It stands in for the hooks the file would have declared: in
 * each phase the file names it fails first, before any other hook changes the host, so a broken
 * pre-start hook aborts the start cleanly instead of starting the VM without its preparation.
 */
final class BrokenHook implements Hook {
  private final String name;
  private final String origin;
  private final Set<Phase> phases;
  private final String error;

  BrokenHook(String name, String origin, Set<Phase> phases, String error) {
    this.name = name;
    this.origin = origin;
    this.phases = phases;
    this.error = error;
  }

  String error() {
    return error;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int order() {
    return Integer.MIN_VALUE;
  }

  @Override
  public Set<Phase> phases() {
    return phases;
  }

  @Override
  public String origin() {
    return origin;
  }

  @Override
  public Optional<Duration> timeout() {
    return Optional.empty();
  }

  /** Its settings are not checked: the file's load error is what the admin must see first. */
  SettingsSchema settings() {
    return SettingsSchema.UNCHECKED;
  }

  @Override
  public String kind() {
    return "broken";
  }

  @Override
  public void run(HookInvocation invocation) {
    throw new IllegalStateException("not loaded: " + error);
  }
}
