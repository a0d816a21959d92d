package dev.guesthook.engine;

import dev.guesthook.event.LifecycleEvent;

/** Follows one phase as it runs: told when its hooks start, then every log line as it comes. */
public interface PhaseListener {
  /** The event is built and {@code hooks} hooks are about to run for its phase. */
  void started(LifecycleEvent event, int hooks);

  /** A hook's log or output line, for the Proxmox task log. */
  void line(String line);
}
