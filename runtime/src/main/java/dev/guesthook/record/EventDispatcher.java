package dev.guesthook.record;

import dev.guesthook.core.dispatch.DispatchResult;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.host.HostPort;
import io.vertx.core.Future;
import java.util.Map;
import java.util.function.Function;

/** Dispatches recorded events to the current hooks; the engine provides one per replay run. */
public interface EventDispatcher extends AutoCloseable {
  /**
   * The event on the given host, each hook getting the settings {@code settingsOf} gives for its
   * name.
   */
  Future<DispatchResult> dispatch(
      LifecycleEvent event, HostPort host, Function<String, Map<String, Object>> settingsOf);
}
