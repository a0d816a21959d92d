package dev.guesthook.core.event;

import dev.guesthook.id.VmId;
import java.time.Instant;
import java.util.Map;

/**
 * What the core needs of an event to dispatch it: whose it is, which phase, when, and what an
 * executable hook's process is given. The domain's event (e.g. {@code guest.LifecycleEvent})
 * implements it and carries the rest; hooks get that object itself, so they see everything it
 * offers.
 */
public interface HookEvent {
  VmId vmid();

  Phase phase();

  Instant time();

  /**
   * What an executable hook's process gets added to its environment, as the caller would add it.
   */
  Map<String, String> executableEnvironment();
}
