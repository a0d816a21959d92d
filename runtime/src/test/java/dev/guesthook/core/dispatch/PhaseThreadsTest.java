package dev.guesthook.core.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A phase that has answered hands its slot in {@code serve} to the next phase in line from its own
 * thread. In a burst of pre-starts (a node booting its guests) that next phase must not need a
 * thread of its own while this one finishes its recording: each thread is memory a hypervisor's
 * guests do not get.
 */
class PhaseThreadsTest {
  @Test
  void aPhaseStartedFromAPhaseThreadRunsOnItOnceItsWorkIsDone() throws Exception {
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<String> nextPhaseThread = new CompletableFuture<>();
    Future<String> first =
        PhaseThreads.carry(
            () -> {
              PhaseThreads.afterwards(() -> order.add("first phase's recording synced"));
              PhaseThreads.carry(
                  () -> {
                    order.add("next phase started");
                    nextPhaseThread.complete(Thread.currentThread().getName());
                    return Future.succeededFuture();
                  });
              return Future.succeededFuture(Thread.currentThread().getName());
            });

    String firstPhaseThread =
        first.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(firstPhaseThread, nextPhaseThread.get(5, TimeUnit.SECONDS));
    assertEquals(List.of("first phase's recording synced", "next phase started"), order);
  }
}
