package dev.guesthook.hookhost;

import dev.guesthook.dispatch.Hook;
import dev.guesthook.dispatch.HookInvocation;
import dev.guesthook.dispatch.Failures;
import dev.guesthook.event.Phase;
import dev.guesthook.settings.SettingsSchema;
import java.util.List;
import groovy.lang.Closure;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** A hook declared in a Groovy file with the {@code hook(name) { ... }} DSL. */
final class GroovyHook implements Hook {
  private final HookSpec spec;

  GroovyHook(HookSpec spec) {
    this.spec = spec;
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

  /** Whether the file gives {@code guesthook check} something to ask (a {@code check { }} block). */
  boolean checks() {
    return spec.check().isPresent();
  }

  /** Runs the hook's check block on the invocation's (dry-run) host; an exception is a fail line. */
  List<HookCheck> check(HookInvocation invocation) {
    Optional<Closure<?>> body = spec.check();
    if (body.isEmpty()) {
      return List.of();
    }
    HookContext context = new HookContext(invocation);
    List<HookCheck> lines = context.collectChecks();
    try {
      Closure<?> check = (Closure<?>) body.get().clone();
      check.setDelegate(context);
      check.setResolveStrategy(Closure.DELEGATE_FIRST);
      HookScript.withContext(context,
          () -> check.getMaximumNumberOfParameters() == 0 ? check.call() : check.call(invocation.event()));
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
    HookContext context = new HookContext(invocation);
    Closure<?> handler = (Closure<?>) spec.handlers().get(invocation.event().phase()).clone();
    handler.setDelegate(context);
    handler.setResolveStrategy(Closure.DELEGATE_FIRST);
    HookAbandonment.watching(
        invocation::abandoned,
        () ->
            HookScript.withContext(
                context,
                () -> handler.getMaximumNumberOfParameters() == 0 ? handler.call() : handler.call(invocation.event())));
  }
}
