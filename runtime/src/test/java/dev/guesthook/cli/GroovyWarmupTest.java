package dev.guesthook.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import groovy.lang.GroovySystem;
import org.junit.jupiter.api.Test;

/**
 * A hookscript call builds Groovy's registry on a thread of its own; the phase touches Groovy only
 * once that thread has ended, whatever happens to the waiting thread.
 */
class GroovyWarmupTest {
  @Test
  void theRegistryIsBuiltWhenTheWaitReturns() {
    GroovyWarmup.start().await();
    assertNotNull(GroovySystem.getMetaClassRegistry());
    assertEquals(
        "true",
        System.getProperty("picocli.disable.closures"),
        "picocli would load Groovy's Closure on the main thread meanwhile");
  }

  @Test
  void anInterruptedWaitStillWaitsForTheWarmupAndKeepsTheInterrupt() {
    GroovyWarmup warmup = GroovyWarmup.start();
    Thread.currentThread().interrupt();
    warmup.await();
    assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
    assertTrue(warmup.isDone());
  }

  @Test
  void withoutAWarmupThereIsNothingToWaitFor() {
    GroovyWarmup.NONE.await();
    assertTrue(GroovyWarmup.NONE.isDone());
  }
}
