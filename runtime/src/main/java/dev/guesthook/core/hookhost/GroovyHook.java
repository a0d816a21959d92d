package dev.guesthook.core.hookhost;

import dev.guesthook.core.dispatch.Failures;
import dev.guesthook.core.dispatch.Hook;
import dev.guesthook.core.dispatch.HookInvocation;
import dev.guesthook.core.event.Phase;
import dev.guesthook.core.settings.SettingsSchema;
import groovy.lang.Closure;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A hook declared in a Groovy file with the {@code hook(name) { ... }} DSL. */
final class GroovyHook implements Hook {
  private final HookSpec spec;
  private final HookGlobals globals;

  GroovyHook(HookSpec spec, HookGlobals globals) {
    this.spec = spec;
    this.globals = globals;
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public int order() {
    return spec.order();
  }

  @Override
  public Set<Phase> phases() {
    return spec.handlers().keySet();
  }

  @Override
  public String origin() {
    return spec.origin();
  }

  @Override
  public Optional<Duration> timeout() {
    return spec.timeout();
  }

  SettingsSchema settings() {
    return spec.settings();
  }

  /**
   * Whether the file gives {@code guesthook check} something to ask (a {@code check { }} block).
   */
  boolean checks() {
    return spec.check().isPresent();
  }

  /**
   * Runs the hook's check block on the invocation's (dry-run) host; an exception is a fail line.
   */
  List<HookCheck> check(HookInvocation invocation) {
    Optional<Closure<?>> body = spec.check();
    if (body.isEmpty()) {
      return List.of();
    }
    HookContext context = new HookContext(invocation, globals);
    List<HookCheck> lines = context.collectChecks();
    try {
      HookScript.withContext(context, () -> call(body.get(), context, invocation));
    } catch (Exception | LinkageError | StackOverflowError e) {
      lines.add(new HookCheck(HookCheck.Level.FAIL, Failures.describe(e, spec.origin())));
    }
    return List.copyOf(lines);
  }

  @Override
  public String kind() {
    return "groovy";
  }

  @Override
  public void run(HookInvocation invocation) throws Exception {
    HookContext context = new HookContext(invocation, globals);
    Closure<?> handler = spec.handlers().get(invocation.event().phase());
    HookAbandonment.watching(
        invocation::mustStop,
        () -> HookScript.withContext(context, () -> call(handler, context, invocation)));
  }

  /**
   * A handler or check block, on its own copy, with the context as delegate and the event if it
   * takes one.
   */
  private static Object call(Closure<?> body, HookContext context, HookInvocation invocation) {
    Closure<?> copy = (Closure<?>) body.clone();
    copy.setDelegate(context);
    copy.setResolveStrategy(Closure.DELEGATE_FIRST);
    return copy.getMaximumNumberOfParameters() == 0 ? copy.call() : copy.call(invocation.event());
  }
}
