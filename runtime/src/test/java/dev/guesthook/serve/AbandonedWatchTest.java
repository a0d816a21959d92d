package dev.guesthook.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When hooks abandoned at their timeouts hold too much for serve to go on, said once. */
class AbandonedWatchTest {
  final AtomicInteger held = new AtomicInteger();
  final AtomicLong cpuMillis = new AtomicLong();
  final AbandonedWatch watch = new AbandonedWatch(held::get, cpuMillis::get);

  @Test
  void eightThreadsHeldAreTooMuchSevenAreNot() {
    held.set(7);
    assertEquals(Optional.empty(), watch.tooMuch());

    held.set(8);
    assertTrue(watch.tooMuch().orElseThrow().startsWith("8 hooks abandoned at their timeouts"));
    assertEquals(Optional.empty(), watch.tooMuch(), "said once");
  }

  @Test
  void oneAbandonedHookBurningThirtySecondsOfCpuIsTooMuch() {
    held.set(1);
    cpuMillis.set(29_999);
    assertEquals(Optional.empty(), watch.tooMuch());

    cpuMillis.set(30_000);
    assertEquals(
        Optional.of(
            "a hook abandoned at its timeout has burnt 30 s of cpu since (a loop in library code,"
                + " where guesthook's checks cannot stop it)"),
        watch.tooMuch());
  }

  @Test
  void cpuBurntByThreadsNoLongerHeldCountsForNothing() {
    held.set(0);
    cpuMillis.set(90_000);

    assertEquals(Optional.empty(), watch.tooMuch());
  }
}
