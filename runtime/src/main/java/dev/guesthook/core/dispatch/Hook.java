package dev.guesthook.core.dispatch;

import dev.guesthook.core.event.Phase;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/** One hook as the dispatcher sees it, whatever it is written in (Groovy, or an executable). */
public interface Hook {
  /** Unique among the loaded hooks. */
  String name();

  /** Lower runs first; ties are broken by name. */
  int order();

  Set<Phase> phases();

  /** Where it came from (the hook file), for messages. */
  String origin();

  /** Its own timeout, when it sets one; otherwise the configured default applies. */
  Optional<Duration> timeout();

  /** Runs the hook for one event. Blocking; called on a worker thread. */
  void run(HookInvocation invocation) throws Exception;

  /** What the {@code hooks} listing says about it: kind, and a load error if any. */
  default String kind() {
    return "hook";
  }
}
