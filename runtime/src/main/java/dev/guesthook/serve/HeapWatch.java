package dev.guesthook.serve;

import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * Tells a resident runtime when its heap stays full: a hook that ran out of memory only fails its
 * own phase (its memory is free again once the phase ends), but one that kept what it took, in a
 * static field or a system property, would fail every later phase of every guest. The runtime then
 * stops, so that systemd starts a fresh one; until it is back, the hookscript client runs the
 * one-shot path.
 */
public final class HeapWatch {
  /**
   * Above this share of the heap's bound after a full collection, too little is left for a phase.
   */
  static final int FULL_PERCENT = 90;

  private final Runtime runtime;

  /** Phases end on several threads at once; the runtime is told to stop (and says why) once. */
  private final AtomicBoolean told = new AtomicBoolean();

  public HeapWatch(Runtime runtime) {
    this.runtime = runtime;
  }

  /**
   * The heap's use in percent of its bound when it stays above {@link #FULL_PERCENT} after a full
   * collection with no phase running, the first time only; empty otherwise. Collects only when the
   * heap is that full already, so a phase in a healthy runtime costs no collection. While a phase
   * runs the heap may be full of what it holds and will let go: a phase that failed meanwhile is no
   * sign that memory is kept for good (it stopped a runtime whose other guest held the heap a
   * moment).
   */
  public OptionalInt staysFull(IntSupplier phasesRunning) {
    if (!mayBeFull() || phasesRunning.getAsInt() > 0) {
      return OptionalInt.empty();
    }
    System.gc(); // what is used now may be garbage a collection would free
    int afterCollection = usedPercent();
    // A phase that started meanwhile may hold what it will let go: the end of the last phase looks
    // again.
    return afterCollection >= FULL_PERCENT
            && phasesRunning.getAsInt() == 0
            && told.compareAndSet(false, true)
        ? OptionalInt.of(afterCollection)
        : OptionalInt.empty();
  }

  /**
   * Cheap (no collection): false when {@link #staysFull} would say nothing, so a caller need not
   * hand it to another thread.
   */
  public boolean mayBeFull() {
    return !told.get() && usedPercent() >= FULL_PERCENT;
  }

  private int usedPercent() {
    long used = runtime.totalMemory() - runtime.freeMemory();
    return (int) (100 * used / runtime.maxMemory());
  }
}
