package dev.guesthook.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.ClientReads;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a phase causes after it has answered (publishing to the cluster) must never hold back the
 * answer Proxmox waits for: the client has the whole answer, exit line and end of stream, while
 * that work is still running.
 */
class AnswerFirstTest {
  @TempDir Path base;
  ResidentRuntime runtime;

  @AfterEach
  void stop() throws Exception {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void theClientHasItsWholeAnswerWhileTheWorkAfterItIsStillRunning() throws Exception {
    CountDownLatch slowWork = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    Path socket = base.resolve("guesthook.sock");
    runtime =
        new ResidentRuntime(
            socket,
            ResidentRuntime.PhaseRunner.blocking(
                (call, out) -> {
                  out.println("VM " + call.vmid() + " " + call.phase());
                  return 0;
                }),
            () -> {
              started.incrementAndGet();
              try {
                slowWork.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            line -> {});
    runtime.start();
    try {
      String answer =
          CompletableFuture.supplyAsync(() -> ask(socket, "guesthook/1 101 pre-start -"))
              .get(10, TimeUnit.SECONDS);

      assertEquals("L VM 101 pre-start\nX 0\n", answer);
      waitFor(() -> started.get() == 1);
    } finally {
      slowWork.countDown();
    }
  }

  private static void waitFor(BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < until, "waited 10 s");
      Thread.sleep(10);
    }
  }

  /** The whole answer, read to the end of the stream. */
  private static String ask(Path socket, String request) {
    try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      client.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
      return ClientReads.toTheEnd(client);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
