package dev.guesthook.hookhost;

import dev.guesthook.dispatch.Hook;
import dev.guesthook.dispatch.HookInvocation;
import dev.guesthook.event.Phase;
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
