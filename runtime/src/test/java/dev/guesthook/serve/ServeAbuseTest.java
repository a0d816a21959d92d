package dev.guesthook.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.testsupport.ClientReads;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that connect and say nothing, or so many that descriptors run out, must not wedge {@code
 * serve}.
 */
class ServeAbuseTest {
  static final int IDLE_CLIENTS = 300;
  static final int CALLS = 200;

  @TempDir Path base;
  final ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
  final List<SocketChannel> idle = new ArrayList<>();
  ResidentRuntime runtime;

  private Path serve() throws IOException {
    return serve((call, out) -> 0, ResidentRuntime.ANSWER_STALL);
  }

  /** A runtime whose phases run {@code first}, then print their VM and phase and exit 0. */
  private Path serve(ResidentRuntime.BlockingPhase first, Duration answerStall) throws IOException {
    Path socket = base.resolve("guesthook.sock");
    runtime =
        new ResidentRuntime(
            socket,
            ResidentRuntime.PhaseRunner.blocking(
                (call, out) -> {
                  first.run(call, out);
                  out.println("VM " + call.vmid() + " " + call.phase());
                  return 0;
                }),
            () -> {},
            log::add,
            answerStall);
    runtime.start();
    return socket;
  }

  @AfterEach
  void stop() throws Exception {
    for (SocketChannel client : idle) {
      client.close();
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  void aRuntimeStoppingLeavesTheSocketOfOneStartedAfterItOnTheSamePath() throws Exception {
    Path socket = serve();
    ResidentRuntime older = runtime;
    Files.delete(socket); // an admin removed it, or a second serve was started by hand
    serve();
    older.close();

    assertTrue(Files.exists(socket), "the newer runtime's socket was removed by the older one");
    phaseLatencies(socket); // and it still answers
  }

  @Test
  void aSecondRuntimeOnTheSamePathIsRefusedAndTheFirstKeepsAnswering() throws Exception {
    Path socket = serve();
    ResidentRuntime second =
        new ResidentRuntime(
            socket, ResidentRuntime.PhaseRunner.blocking((call, out) -> 0), log::add);

    IOException refused = assertThrows(IOException.class, second::start);

    assertTrue(
        refused.getMessage().contains("another guesthook serve is listening on " + socket),
        refused::getMessage);
    phaseLatencies(socket);
  }

  @Test
  void idleClientsHoldNoThreadAndDoNotDelayAnotherGuestsPhase() throws Exception {
    Path socket = serve();
    phaseLatencies(socket); // warm up: the JIT, the worker threads
    long[] alone = phaseLatencies(socket);
    int threadsBefore = Thread.activeCount();
    for (int i = 0; i < IDLE_CLIENTS; i++) {
      idle.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }
    Thread.sleep(300);
    int threadsWithIdle = Thread.activeCount();
    long[] crowded = phaseLatencies(socket);
    System.out.printf(
        "serve: %d idle clients: threads %d -> %d; phase latency median %.2f ms, p99 %.2f ms"
            + " (without them: median %.2f ms, p99 %.2f ms)%n",
        IDLE_CLIENTS,
        threadsBefore,
        threadsWithIdle,
        millis(crowded, 50),
        millis(crowded, 99),
        millis(alone, 50),
        millis(alone, 99));
    assertTrue(
        threadsWithIdle - threadsBefore <= 4,
        "threads " + threadsBefore + " -> " + threadsWithIdle);
    assertTrue(
        millis(crowded, 50) - millis(alone, 50) < 5,
        "median " + millis(crowded, 50) + " vs " + millis(alone, 50));
    assertTrue(millis(crowded, 99) < 100, "p99 " + millis(crowded, 99) + " ms");
  }

  @Test
  void aClientThatSendsNothingIsDroppedAfterTheRequestTimeout() throws Exception {
    Path socket = serve();
    SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    idle.add(silent);
    CompletableFuture<Integer> eof =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return silent.read(ByteBuffer.allocate(16));
              } catch (IOException e) {
                return -2;
              }
            });
    assertEquals(2, eof.get(10, TimeUnit.SECONDS), "the runtime said B before it closed");
    assertEquals(-1, silent.read(ByteBuffer.allocate(16)), "the runtime closed the connection");
  }

  /**
   * A node booting with 200 onboot guests: their hookscript clients connect at once, and on a
   * loaded 2-core node many are not scheduled to send their line before the rest have connected.
   * With 64 waiting connections at most, up to 80 of 200 pre-starts were cut off and failed (exit
   * 3), which aborts those guests' starts.
   */
  @Test
  void twoHundredClientsThatConnectBeforeTheySendAreEachAnswered() throws Exception {
    Path socket = serve();
    List<SocketChannel> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        clients.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
      }
      Thread.sleep(300); // the selector has taken every one of them
      for (int i = 0; i < clients.size(); i++) {
        String request = "guesthook/1 " + (1000 + i) + " pre-start -\n";
        clients.get(i).write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < clients.size(); i++) {
        assertEquals("L VM " + (1000 + i) + " pre-start\nX 0\n", answerOf(clients.get(i)));
      }
    } finally {
      for (SocketChannel client : clients) {
        client.close();
      }
    }
  }

  /**
   * Past the bound the oldest silent peer is dropped, and told so with {@code B}: nothing ran, so
   * the hookscript client may take the one-shot path instead of failing the phase.
   */
  @Test
  void aPeerDroppedPastTheBoundIsToldNothingRan() throws Exception {
    Path socket = serve();
    for (int i = 0; i <= ResidentRuntime.MAX_WAITING; i++) {
      idle.add(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }
    assertEquals("B\n", answerOf(idle.get(0)));
    assertTrue(
        log.stream().anyMatch(line -> line.contains("dropped the oldest connection")),
        log::toString);
  }

  /**
   * A restart of the service while guests start: the clients whose requests were not read yet are
   * told that nothing ran, so they take the one-shot path; they used to fail (exit 3), and a failed
   * pre-start aborts the guest's start.
   */
  @Test
  void clientsWhoseRequestWasNotReadWhenServeStopsAreToldNothingRan() throws Exception {
    Path socket = serve();
    List<SocketChannel> silent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
      silent.add(client);
      idle.add(client);
    }
    Thread.sleep(300); // the selector has taken them in

    runtime.close();
    runtime = null;

    for (SocketChannel client : silent) {
      assertEquals("B\n", answerOf(client));
    }
  }

  /**
   * In a folder another user can write, they could put their own socket in serve's place and answer
   * phases with success, nothing run: serve does not start there.
   */
  @Test
  void serveDoesNotStartInASocketFolderOtherUsersCanWrite() throws Exception {
    Path open = Files.createDirectories(base.resolve("run"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    ResidentRuntime unsafe =
        new ResidentRuntime(
            open.resolve("guesthook.sock"),
            ResidentRuntime.PhaseRunner.blocking((call, out) -> 0),
            log::add);

    IOException refused = assertThrows(IOException.class, unsafe::start);

    assertTrue(refused.getMessage().contains("chmod go-w " + open), refused::getMessage);
    assertTrue(Files.notExists(open.resolve("guesthook.sock")));
  }

  private static String answerOf(SocketChannel client) throws IOException {
    ByteBuffer answer = ByteBuffer.allocate(4096);
    while (client.read(answer) >= 0 && answer.hasRemaining()) {
      // until the runtime closes the connection
    }
    return new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8);
  }

  @Test
  void outOfDescriptorsTheAcceptLoopBacksOffAndLogsLittle() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process storm =
        new ProcessBuilder(
                "sh",
                "-c",
                "ulimit -n 256 && exec \"$0\" -cp \"$1\" "
                    + AcceptStorm.class.getName()
                    + " \"$2\"",
                java,
                System.getProperty("java.class.path"),
                base.resolve("storm.sock").toString())
            .redirectErrorStream(true)
            .redirectOutput(base.resolve("storm.out").toFile())
            .start();
    boolean ended = storm.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      storm.destroyForcibly().waitFor();
    }
    String output = Files.readString(base.resolve("storm.out"));
    assertTrue(
        ended, "the runtime wedged: its clients could not even connect within 60 s; " + output);
    Matcher figures =
        Pattern.compile("clients=(\\d+) lines=(\\d+) cpuMillis=(\\d+)").matcher(output);
    assertTrue(figures.find(), output);
    System.out.println("serve out of descriptors (ulimit -n 256): " + figures.group());
    assertTrue(Long.parseLong(figures.group(2)) <= 3, "log lines in 2 s: " + output);
    assertTrue(Long.parseLong(figures.group(3)) < 400, "CPU time in 2 s (no busy loop): " + output);
  }

  /**
   * One client floods requests for one guest whose phase hangs (each would wait for that guest's
   * lock): past two of that guest's phases, more are refused at once (exit 2), and another guest's
   * phase is answered as fast as ever. Before, the flood took every worker and the other guest
   * waited for minutes.
   */
  @Test
  void aFloodOfOneGuestsPhasesTakesNoWorkerFromAnotherGuest() throws Exception {
    CountDownLatch hung = new CountDownLatch(1);
    Path socket =
        serve(
            (call, out) -> {
              if (call.vmid().toString().equals("504")) {
                hung.await();
              }
              return 0;
            },
            ResidentRuntime.ANSWER_STALL);
    try {
      List<SocketChannel> flood = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        client.write(
            ByteBuffer.wrap("guesthook/1 504 post-start -\n".getBytes(StandardCharsets.UTF_8)));
        flood.add(client);
      }
      idle.addAll(flood);
      Thread.sleep(300); // the runtime has taken them all in
      long start = System.nanoTime();
      String other =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return call(socket, "guesthook/1 602 post-start -\n");
                    } catch (IOException e) {
                      return e.toString();
                    }
                  })
              .completeOnTimeout("no answer within 5 s", 5, TimeUnit.SECONDS)
              .get();
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals("L VM 602 post-start\nX 0\n", other);
      assertTrue(millis < 1000, "another guest's phase took " + millis + " ms");
      String refused = call(socket, "guesthook/1 504 post-start -\n");
      assertEquals(
          "L guesthook: error: VM 504 has 2 phases under way or waiting already; this post-start is refused."
              + " Proxmox runs one phase of a guest at a time: look for what else runs the hookscript\nX 2\n",
          refused);
    } finally {
      hung.countDown();
    }
  }

  /**
   * A guest's second phase waits for its first and begins only once that one has ended, in the
   * order they came: begun side by side, a later post-stop could reach the guest's lock first and
   * run before the pre-start it followed.
   */
  @Test
  void aGuestsSecondPhaseBeginsOnlyOnceItsFirstHasEnded() throws Exception {
    CountDownLatch firstMayEnd = new CountDownLatch(1);
    List<String> begun = Collections.synchronizedList(new ArrayList<>());
    Path socket =
        serve(
            (call, out) -> {
              begun.add(call.phase().wireName());
              if (begun.size() == 1) {
                firstMayEnd.await();
              }
              return 0;
            },
            ResidentRuntime.ANSWER_STALL);
    SocketChannel first = sent(socket, "guesthook/1 700 pre-start -\n");
    awaitCount(begun::size, 1);
    SocketChannel second = sent(socket, "guesthook/1 700 post-stop -\n");
    Thread.sleep(300); // time for the second to begin, were it let
    assertEquals(List.of("pre-start"), begun, "phases of VM 700 begun");

    firstMayEnd.countDown();
    assertEquals("L VM 700 pre-start\nX 0\n", answerOf(first));
    assertEquals("L VM 700 post-stop\nX 0\n", answerOf(second));
    assertEquals(List.of("pre-start", "post-stop"), begun);
  }

  private SocketChannel sent(Path socket, String request) throws IOException {
    SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    client.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
    idle.add(client);
    return client;
  }

  /**
   * A burst of pre-starts (a node booting its onboot guests, a bulk start) must not make a thread,
   * and touch its stack and heap, for every one of them: past the bound they wait in line and each
   * starts as one ends, every one answered.
   */
  @Test
  void atMostSixteenPhasesRunAtOnceAndTheRestStartInTurnAsOnesEnd() throws Exception {
    Semaphore letGo = new Semaphore(0);
    AtomicInteger started = new AtomicInteger();
    Path socket =
        serve(
            (call, out) -> {
              started.incrementAndGet();
              letGo.acquire();
              return 0;
            },
            ResidentRuntime.ANSWER_STALL);
    List<SocketChannel> burst = new ArrayList<>();
    for (int vmid = 1000; vmid < 1020; vmid++) {
      SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
      client.write(
          ByteBuffer.wrap(
              ("guesthook/1 " + vmid + " pre-start -\n").getBytes(StandardCharsets.UTF_8)));
      burst.add(client);
    }
    idle.addAll(burst);
    awaitCount(started::get, 16);
    Thread.sleep(300); // time for a 17th to start, were it let
    assertEquals(16, started.get(), "phases running at once");
    letGo.release();
    awaitCount(started::get, 17);
    letGo.release(20);
    for (SocketChannel client : burst) {
      assertTrue(answerOf(client).endsWith("X 0\n"), "every phase of the burst is answered");
    }
  }

  private static void awaitCount(IntSupplier count, int expected) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (count.getAsInt() < expected && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertEquals(expected, count.getAsInt(), "phases started");
  }

  /**
   * A client that stops reading (Proxmox's task log stalled, the client stopped) must not hold a
   * phase's thread, and with it the guest's lock, past the stall bound: the phase goes on without
   * it, and the client finds the answer cut short, with no exit line.
   */
  @Test
  void aClientThatStopsReadingIsLetGoAndThePhaseEndsWithoutIt() throws Exception {
    CountDownLatch ended = new CountDownLatch(1);
    Path socket = serveEightMegabytesTo("504", ended);
    SocketChannel stalled = asking(socket, "guesthook/1 504 pre-start -\n");

    assertTrue(ended.await(20, TimeUnit.SECONDS), "the phase ended though its client read nothing");
    assertEquals("L VM 602 post-start\nX 0\n", call(socket, "guesthook/1 602 post-start -\n"));
    String cut = ClientReads.toTheEnd(stalled);
    assertTrue(cut.startsWith("L " + "x".repeat(999) + "\n"), () -> cut.substring(0, 40));
    assertTrue(!cut.contains("\nX "), "no exit line: the client cannot take the phase as done");
    assertTrue(
        log.stream().anyMatch(l -> l.contains("left the phase's output unread for 0.5 s")),
        () -> String.join("\n", log));
  }

  /**
   * Reading some now and then, each time well within the bound, does not stretch it: the bound is
   * over the whole answer (8 MB at 64 KB every 200 ms would hold the phase for 25 s).
   */
  @Test
  void aClientThatReadsALittleNowAndThenHoldsThePhaseNoLongerThanTheBound() throws Exception {
    CountDownLatch ended = new CountDownLatch(1);
    Path socket = serveEightMegabytesTo("504", ended);
    SocketChannel trickling = asking(socket, "guesthook/1 504 pre-start -\n");
    long start = System.nanoTime();
    while (ended.getCount() > 0 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20)) {
      trickling.read(ByteBuffer.allocate(65536));
      Thread.sleep(200);
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertEquals(0, ended.getCount(), "the phase ended while its client trickled");
    assertTrue(millis < 5_000, "the phase waited " + millis + " ms for its client");
  }

  /** A client that sent its request and reads nothing yet; closed after the test. */
  private SocketChannel asking(Path socket, String request) throws IOException {
    SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    idle.add(client);
    client.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
    return client;
  }

  /**
   * A runtime whose phase of {@code vmid} prints 8 MB, far past what the socket holds, then counts
   * {@code ended} down; its client may wait for it half a second in all.
   */
  private Path serveEightMegabytesTo(String vmid, CountDownLatch ended) throws IOException {
    String line = "x".repeat(999);
    return serve(
        (call, out) -> {
          if (call.vmid().toString().equals(vmid)) {
            for (int i = 0; i < 8_000; i++) {
              out.println(line);
            }
            ended.countDown();
          }
          return 0;
        },
        Duration.ofMillis(500));
  }

  /**
   * Nanoseconds of {@link #CALLS} phases, one after another, each as the hookscript client asks.
   */
  private static long[] phaseLatencies(Path socket) throws IOException {
    long[] took = new long[CALLS];
    for (int i = 0; i < CALLS; i++) {
      long start = System.nanoTime();
      String answer = call(socket, "guesthook/1 101 pre-start -\n");
      took[i] = System.nanoTime() - start;
      assertEquals("L VM 101 pre-start\nX 0\n", answer);
    }
    Arrays.sort(took);
    return took;
  }

  private static String call(Path socket, String request) throws IOException {
    try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      client.connect(UnixDomainSocketAddress.of(socket));
      client.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
      return answerOf(client);
    }
  }

  private static double millis(long[] sorted, int percentile) {
    return sorted[Math.min(sorted.length - 1, sorted.length * percentile / 100)] / 1e6;
  }
}
