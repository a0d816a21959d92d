package dev.guesthook.core.hookhost;

import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.dispatch.HookInvocation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** Runs hooks' {@code check { }} blocks for {@code guesthook check}, each within its timeout. */
public final class HookChecks {
  private HookChecks() {}

  /** Whether the hook has anything to say to {@code guesthook check}. */
  public static boolean has(Hook hook) {
    return hook instanceof GroovyHook groovy && groovy.checks();
  }

  /**
   * The hook's check lines; a block that does not end within {@code timeout} is interrupted and a
   * fail.
   */
  public static List<HookCheck> run(Hook hook, HookInvocation invocation, Duration timeout) {
    if (!has(hook)) {
      return List.of();
    }
    GroovyHook groovy = (GroovyHook) hook;
    AtomicReference<List<HookCheck>> lines = new AtomicReference<>();
    Thread worker =
        new Thread(() -> lines.set(groovy.check(invocation)), "guesthook-check-" + hook.name());
    worker.setDaemon(true);
    worker.start();
    try {
      worker.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (lines.get() == null) {
      worker.interrupt();
      return List.of(
          new HookCheck(
              HookCheck.Level.FAIL, "its check did not end within " + timeout.toSeconds() + " s"));
    }
    return lines.get();
  }
}
