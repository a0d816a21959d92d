package dev.guesthook.cli;

import dev.guesthook.core.hookhost.HookScript;
import groovy.lang.Closure;
import groovy.lang.GroovySystem;
import groovy.lang.MetaClassRegistry;

/**
 * Builds Groovy's meta class registry (the default Groovy methods of the JDK's classes, extension
 * modules) and the meta classes every hook file needs on a thread of its own while a hookscript
 * call parses its command line and starts Vert.x: on two idle cores the two overlap instead of
 * adding up (measured: the registry is the largest single step of a one-shot phase, see the
 * README's "Performance").
 *
 * <p>Nothing else may initialise a Groovy class until {@link #await()} returns: two threads
 * initialising classes whose static initialisers need each other would wait for each other forever.
 * So the warm-up starts before picocli, whose default factory would load Groovy's {@code Closure}
 * (closures in annotations, which guesthook does not use, are switched off), and the settings, the
 * first to touch the hook API, wait for it.
 */
final class GroovyWarmup {
  /** For in-process runs (tests): Groovy is initialised by whoever needs it first. */
  static final GroovyWarmup NONE = new GroovyWarmup(null);

  private final Thread thread;

  private GroovyWarmup(Thread thread) {
    this.thread = thread;
  }

  static GroovyWarmup start() {
    System.setProperty("picocli.disable.closures", "true");
    Thread thread = new Thread(GroovyWarmup::buildRegistry, "groovy-warmup");
    thread.setDaemon(true);
    thread.start();
    return new GroovyWarmup(thread);
  }

  /**
   * A failure here is left to the phase: its own first use of Groovy fails the same way, and is
   * reported as any failure.
   */
  private static void buildRegistry() {
    try {
      MetaClassRegistry registry = GroovySystem.getMetaClassRegistry();
      // What loading any hook file needs next: the meta classes of its script's base class and of
      // closures (the first closure initialises Closure itself).
      registry.getMetaClass(HookScript.class);
      registry.getMetaClass(Closure.IDENTITY.getClass());
    } catch (Throwable failure) {
      // reported by the phase's own use of Groovy
    }
  }

  /** Whether the registry is built (or its building failed), or there is no warm-up. */
  boolean isDone() {
    return thread == null || !thread.isAlive();
  }

  /**
   * Returns once the registry is built (or its building failed); never earlier, even when
   * interrupted, since Groovy may only be touched after it.
   */
  void await() {
    boolean interrupted = false;
    while (!isDone()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
