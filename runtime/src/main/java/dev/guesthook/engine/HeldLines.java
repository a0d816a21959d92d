package dev.guesthook.engine;

import dev.guesthook.event.LifecycleEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A listener that holds lines said before the phase's first line (what the pre-start's reconcile put
 * back) and gives them right after it, so the task log reads in order: the phase, then its work.
 */
final class HeldLines implements PhaseListener {
  private final PhaseListener target;
  private final List<String> held = new ArrayList<>();
  private boolean started;

  HeldLines(PhaseListener target) {
    this.target = target;
  }

  @Override
  public synchronized void started(LifecycleEvent event, int hooks) {
    target.started(event, hooks);
    release();
  }

  @Override
  public synchronized void line(String line) {
    if (started) {
      target.line(line);
    } else {
      held.add(line);
    }
  }

  /** Gives what is held now: the phase started, or will not. */
  synchronized void release() {
    started = true;
    held.forEach(target::line);
    held.clear();
  }
}
