package dev.guesthook.serve;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Tells a resident runtime when hooks abandoned at their timeouts hold too much: each keeps its
 * thread (about 0.2 MB) while it stays blocked where no interrupt reaches, and its core while it
 * loops in library code, for as long as the process lives. Past {@link #MAX_HELD} such threads, or
 * once one of them has burnt {@link #MAX_CPU} of cpu since it was abandoned, the runtime stops, so
 * that systemd starts a fresh one (the stuck threads go with the process); until it is back, the
 * hookscript client runs the one-shot path.
 */
public final class AbandonedWatch {
  /** Threads still held by abandoned hooks that a runtime keeps before it stops. */
  static final int MAX_HELD = 8;

  /** The cpu one abandoned hook may burn on its own before the runtime stops. */
  static final Duration MAX_CPU = Duration.ofSeconds(30);

  private final IntSupplier held;
  private final LongSupplier mostCpuMillis;
  private final AtomicBoolean told = new AtomicBoolean();

  /**
   * {@code held}: how many threads abandoned hooks still hold; {@code mostCpuMillis}: the most cpu
   * one of them burnt since it was abandoned (the dispatcher's AbandonedThreads).
   */
  public AbandonedWatch(IntSupplier held, LongSupplier mostCpuMillis) {
    this.held = held;
    this.mostCpuMillis = mostCpuMillis;
  }

  /** Why the runtime should stop now, the first time only; empty otherwise. */
  public Optional<String> tooMuch() {
    int threads = held.getAsInt();
    if (threads == 0) {
      return Optional.empty();
    }
    long cpu = mostCpuMillis.getAsLong();
    String why;
    if (threads >= MAX_HELD) {
      why =
          threads
              + " hooks abandoned at their timeouts still hold their threads (blocked where an"
              + " interrupt cannot reach them: a lock(), a monitor, a library call)";
    } else if (cpu >= MAX_CPU.toMillis()) {
      why =
          "a hook abandoned at its timeout has burnt "
              + cpu / 1000
              + " s of cpu since (a loop in library code, where guesthook's checks cannot stop it)";
    } else {
      return Optional.empty();
    }
    return told.compareAndSet(false, true) ? Optional.of(why) : Optional.empty();
  }
}
