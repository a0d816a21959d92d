package dev.guesthook.record;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostPort;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/** Dispatches recorded events to the current hooks; the engine provides one per replay run. */
public interface EventDispatcher extends AutoCloseable {
  /** The names of the hooks the event's phase runs now, in their order. */
  List<String> hooksOf(LifecycleEvent event);

  /**
   * The event on the given host, each hook getting the settings {@code settingsOf} gives for its
   * name; only the hooks {@code replayed} accepts run (the others have nothing recorded to answer
   * them).
   */
  Future<DispatchResult> dispatch(
      LifecycleEvent event,
      HostPort host,
      Function<String, Map<String, Object>> settingsOf,
      Predicate<String> replayed);
}
