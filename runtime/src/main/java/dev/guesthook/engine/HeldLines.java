package dev.guesthook.engine;

import dev.guesthook.core.dispatch.HookLine;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.journal.Reconciler;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A listener that holds lines said before the phase's first line (what the pre-start's reconcile
 * put back) and gives them right after it, so the task log reads in order: the phase, then its
 * work.
 */
final class HeldLines implements PhaseListener {
  private final PhaseListener target;
  private final List<Consumer<PhaseListener>> held = new ArrayList<>();
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
  public void line(String line) {
    give(listener -> listener.line(line));
  }

  @Override
  public void hookLine(HookLine line) {
    give(listener -> listener.hookLine(line));
  }

  /** Given at once: what a reconcile found is kept, not printed in the task log's order. */
  @Override
  public void reconciled(Reconciler.GuestResult result, String why) {
    target.reconciled(result, why);
  }

  @Override
  public boolean unheard() {
    return target.unheard();
  }

  private synchronized void give(Consumer<PhaseListener> line) {
    if (started) {
      line.accept(target);
    } else {
      held.add(line);
    }
  }

  /** Gives what is held now: the phase started, or will not. */
  synchronized void release() {
    started = true;
    held.forEach(line -> line.accept(target));
    held.clear();
  }
}
