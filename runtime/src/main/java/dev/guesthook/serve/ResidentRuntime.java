package dev.guesthook.serve;

import dev.guesthook.app.ExitCodes;
import dev.guesthook.files.SafeFiles;
import dev.guesthook.id.VmId;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The resident runtime's front door: a Unix domain socket (mode 0600) that takes one {@link
 * PhaseCall} per connection from the hookscript client, refuses peers of another uid than its own
 * (SO_PEERCRED), and streams the phase's output back. Different VMs' requests run in parallel. No
 * client can wedge it: request lines are read by one selector thread (a silent peer is dropped
 * after {@link #REQUEST_TIMEOUT}, the oldest beyond {@link #MAX_WAITING}), phases run on a bounded
 * pool, failing accepts back off, and repeated log lines are rate-limited.
 */
public final class ResidentRuntime implements AutoCloseable {
  /** Where the server listens and the hookscript client looks, under the host root. */
  public static final String SOCKET = "run/guesthook/guesthook.sock";

  /**
   * Starts one phase, writing its task-log lines to {@code out}; the stage completes with the exit
   * code, on whichever thread ends the phase, and that thread writes the answer's exit line: a
   * phase whose hook hung past its timeout is answered by the thread the phase was handed to, while
   * the stuck one stays stuck. Called on the thread that reads every request: it hands the phase on
   * and returns, it never runs it.
   */
  @FunctionalInterface
  public interface PhaseRunner {
    CompletionStage<Integer> start(PhaseCall call, PrintStream out);

    /** The phase's stage, or a failed one when starting it threw before there was one. */
    default CompletionStage<Integer> startOrFail(PhaseCall call, PrintStream out) {
      try {
        return start(call, out);
      } catch (RuntimeException | Error e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    /**
     * A runner that blocks until its phase has ended (a test's stand-in): each on its own thread.
     */
    static PhaseRunner blocking(BlockingPhase phase) {
      return (call, out) -> {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread thread =
            new Thread(
                () -> {
                  try {
                    exit.complete(phase.run(call, out));
                  } catch (Exception | Error e) {
                    exit.completeExceptionally(e);
                  }
                },
                "guesthook-blocking-phase");
        thread.setDaemon(true);
        thread.start();
        return exit;
      };
    }
  }

  /**
   * Runs one phase to its end, writing its task-log lines to {@code out}; returns the exit code.
   */
  @FunctionalInterface
  public interface BlockingPhase {
    int run(PhaseCall call, PrintStream out) throws Exception;
  }

  /**
   * Connections that have not sent their request line yet; past this the oldest is dropped. A node
   * booting with its onboot guests connects a client per guest at once, and on a loaded node many
   * are not scheduled to send before the rest have connected: with 64, up to 80 of 200 pre-starts
   * at once were cut off (their starts failed). Each costs a descriptor and a few hundred bytes.
   */
  static final int MAX_WAITING = 256;

  /** The listening socket's queue of connections not yet accepted (Java's default is 50). */
  private static final int BACKLOG = 256;

  /**
   * Said to a connection dropped before its request was read: nothing ran, so the hookscript client
   * takes the one-shot path instead of failing the phase.
   */
  private static final String NOT_TAKEN = "B\n";

  /**
   * Phases under way at once; more wait in line and start in turn. Proxmox itself starts at most
   * {@code max_workers} guests of a node at once in a bulk start or at boot (datacenter.cfg; unset,
   * the node's cores less one, at most 8; the HA manager 4), so 16 leaves room for phases from the
   * API beside a bulk start and for guests waiting on a slow hook. Each running phase holds a
   * thread whose stack Groovy's calls touch (about 110 KB) and heap: with 64, two bursts of 200
   * pre-starts raised the peak RSS by 18 MB, with 16 by 10 MB, for the same wall (README, "serve's
   * memory").
   */
  static final int MAX_RUNNING = 16;

  /** The CLI's exit code for a call it refuses (bad arguments, another user): nothing was run. */
  private static final int EXIT_REFUSED = ExitCodes.USAGE;

  /**
   * Phases of one guest held at once: one under way, the next waiting in the guest's line (it
   * begins when the first ends); more are refused.
   */
  static final int MAX_PER_GUEST = 2;

  /** The hookscript client sends its request as it connects: a peer silent this long is not one. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /**
   * How long a phase's thread waits for a client that takes none of its output (the socket's buffer
   * full): then the client is let go and the phase goes on. Proxmox reads a hookscript's output as
   * it comes; a client this far behind is stopped or its task log stalled.
   */
  static final Duration ANSWER_STALL = Duration.ofSeconds(30);

  static final int MAX_REQUEST_BYTES = 512;
  private static final long FIRST_BACKOFF_MILLIS = 10;
  private static final long MAX_BACKOFF_MILLIS = 1000;
  private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

  private final Path socket;
  private final PhaseRunner runner;
  private final Runnable answered;
  private final Consumer<String> log;
  private final Duration answerStall;
  private final RateLimitedLog limitedLog;
  private final PhaseSlots slots = new PhaseSlots(MAX_RUNNING);

  /** Waiting connections in arrival order, so the oldest is the first dropped. */
  private final Map<SocketChannel, Waiting> waiting = new LinkedHashMap<>();

  private final Map<SocketChannel, String> complete = new LinkedHashMap<>();
  private final GuestLine guests = new GuestLine(MAX_PER_GUEST);
  private ServerSocketChannel server;
  private Selector selector;
  private Thread acceptor;

  /** The socket file this runtime bound (device and inode), to remove only that one. */
  private Object boundFile;

  private volatile boolean stopping;
  private long backoffMillis = FIRST_BACKOFF_MILLIS;
  private long acceptPausedUntil;
  private boolean cancelledKeys; // of connections whose request came in, since the last hand-over
  private volatile String ownUser;

  /** A connection whose request line is still coming: held by no thread, only by the selector. */
  private static final class Waiting {
    final ByteBuffer request = ByteBuffer.allocate(MAX_REQUEST_BYTES + 1);
    final long deadline = System.nanoTime() + REQUEST_TIMEOUT.toNanos();
  }

  public ResidentRuntime(Path socket, PhaseRunner runner, Consumer<String> log) {
    this(socket, runner, () -> {}, log);
  }

  /**
   * {@code answered} runs after each phase's answer has been sent whole and its connection closed,
   * on that phase's worker: work a phase caused but Proxmox need not wait for (publishing to the
   * cluster) starts only once the client has its exit code.
   */
  public ResidentRuntime(Path socket, PhaseRunner runner, Runnable answered, Consumer<String> log) {
    this(socket, runner, answered, log, ANSWER_STALL);
  }

  /** The same, waiting for a client that does not read {@code answerStall} at most. */
  public ResidentRuntime(
      Path socket,
      PhaseRunner runner,
      Runnable answered,
      Consumer<String> log,
      Duration answerStall) {
    this.socket = socket;
    this.runner = runner;
    this.answered = answered;
    this.log = log;
    this.answerStall = answerStall;
    this.limitedLog = new RateLimitedLog(log, LOG_INTERVAL.toNanos(), System::nanoTime);
  }

  public void start() throws IOException {
    // Checked as guesthook's own folders are (created 0700, no link, no folder others can write on
    // the way): in a folder another user can write, they could put their own socket in its place
    // and answer the hookscript's phases with success, nothing run.
    SafeFiles.folder(socket.getParent());
    Optional<String> refused = refusal(socket);
    if (refused.isPresent()) {
      throw new IOException(refused.get());
    }
    Files.deleteIfExists(socket); // a socket left by a runtime that was killed
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket), BACKLOG);
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    boundFile = fileKey(socket);
    server.configureBlocking(false);
    selector = Selector.open();
    server.register(selector, SelectionKey.OP_ACCEPT);
    acceptor = new Thread(this::selectLoop, "guesthook-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    log.accept("guesthook serve: listening on " + socket);
  }

  /**
   * One thread reads every request line without blocking, so idle or slow peers cost a buffer, not
   * a thread, and a guest's request is handed to a worker as soon as its line is in.
   */
  private void selectLoop() {
    try (Selector open = selector) {
      while (!stopping) {
        selector.select(this::ready, nextWakeMillis());
        handOver();
        dropExpired();
        resumeAcceptingWhenDue();
      }
    } catch (IOException | ClosedSelectorException e) {
      if (!stopping) {
        log.accept("guesthook serve: stopped answering: " + e.getMessage());
      }
    } finally {
      tellTheUnreadNothingRan();
    }
  }

  /**
   * Stopping: every connection whose request was not read, waiting or still in the listen queue, is
   * told {@code B}, so its client runs the one-shot path (nothing ran here) instead of failing a
   * start; only then is the socket closed. A restart of the service while guests start used to fail
   * them all.
   */
  private void tellTheUnreadNothingRan() {
    waiting.keySet().forEach(ResidentRuntime::notTaken);
    waiting.clear();
    try (ServerSocketChannel listening = server) {
      SocketChannel queued;
      while ((queued = listening.accept()) != null) {
        notTaken(queued);
      }
    } catch (IOException closing) {
      // What the queue still held is reset by the close: the client takes that as a failure.
    }
  }

  private void ready(SelectionKey key) {
    if (!key.isValid()) {
      return;
    }
    if (key.isAcceptable()) {
      acceptOne(key);
    } else if (key.isReadable()) {
      readSome(key);
    }
  }

  private void acceptOne(SelectionKey key) {
    SocketChannel client;
    try {
      client = server.accept();
    } catch (IOException e) {
      pauseAccepting(key, e);
      return;
    }
    backoffMillis = FIRST_BACKOFF_MILLIS;
    if (client == null) {
      return;
    }
    if (waiting.size() >= MAX_WAITING) {
      dropOldest("more than " + MAX_WAITING + " connections waiting to send a request");
    }
    try {
      client.configureBlocking(false);
      Waiting state = new Waiting();
      // The hookscript client sends its line as it connects: it is often in already, and then the
      // connection never joins the selector (no registration, no second round, no deregistration).
      if (readOn(client, state)) {
        complete.put(client, requestLine(state.request));
        return;
      }
      client.register(selector, SelectionKey.OP_READ);
      waiting.put(client, state);
    } catch (IOException e) {
      closeQuietly(client);
    }
  }

  /**
   * accept(2) failing (out of file descriptors) fails again at once: stop asking for a while,
   * doubling up to a second, instead of spinning a core; and give up the oldest silent peer's
   * descriptor.
   */
  private void pauseAccepting(SelectionKey key, IOException e) {
    limitedLog.line(
        "accept",
        "guesthook serve: accept failed: "
            + e.getMessage()
            + "; retrying in "
            + backoffMillis
            + " ms");
    key.interestOps(0);
    acceptPausedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMillis);
    backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
    if (!waiting.isEmpty()) {
      dropOldest("out of file descriptors");
    }
  }

  private void resumeAcceptingWhenDue() {
    SelectionKey key = server.keyFor(selector);
    if (key != null
        && key.isValid()
        && key.interestOps() == 0
        && System.nanoTime() >= acceptPausedUntil) {
      key.interestOps(SelectionKey.OP_ACCEPT);
    }
  }

  private void readSome(SelectionKey key) {
    SocketChannel client = (SocketChannel) key.channel();
    Waiting state = waiting.get(client);
    if (!readOn(client, state)) {
      return;
    }
    waiting.remove(client);
    key.cancel();
    cancelledKeys = true;
    complete.put(client, requestLine(state.request));
  }

  /**
   * Reads what the peer has sent; whether its request is in (a whole line, or the peer gone or
   * broken: then it is answered as an empty request).
   */
  private static boolean readOn(SocketChannel client, Waiting state) {
    try {
      int read = client.read(state.request);
      return read < 0 || hasWholeLine(state.request);
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Requests whose line is in, started: once the selector has let go of their channels. A request
   * goes from this thread to the phase thread that runs it and writes its answer, with no thread in
   * between (a request thread that handed the phase on and waited for it cost two wake-ups a call).
   */
  private void handOver() throws IOException {
    if (complete.isEmpty()) {
      return;
    }
    if (cancelledKeys) {
      // Deregisters them: a channel closed while still registered keeps its descriptor until
      // then. What is ready now is seen next round.
      selector.selectNow(key -> {});
      cancelledKeys = false;
    }
    for (Map.Entry<SocketChannel, String> request : complete.entrySet()) {
      SocketChannel client = request.getKey();
      // Looked up once per connection: SO_PEERCRED's principal reads /etc/passwd and /etc/group.
      if (!isOwnUser(client)) {
        answerAtOnce(client, "X " + EXIT_REFUSED + "\n");
        limitedLog.line("refused", "guesthook serve: refused a connection from another user");
        continue;
      }
      PhaseCall call;
      try {
        call = PhaseCall.parse(request.getValue());
      } catch (IllegalArgumentException notAPhase) {
        answerAtOnce(
            client, "L guesthook: error: " + notAPhase.getMessage() + "\nX " + EXIT_REFUSED + "\n");
        continue;
      }
      Runnable begin = () -> begin(client, call);
      switch (guests.enter(call.vmid(), begin)) {
        case NOW -> begin.run();
        case IN_LINE -> {} // begun when the guest's phase before it ends
        case FULL -> refuseOverQuota(client, call);
      }
    }
    complete.clear();
  }

  /**
   * Starts the phase when a slot is free. Once serve is stopping it takes no new phase: its client
   * is told nothing ran (it takes the one-shot path), and the guest's next in line is told so too.
   */
  private void begin(SocketChannel client, PhaseCall call) {
    try {
      slots.start(() -> start(client, call, () -> guestPhaseEnded(call.vmid())));
    } catch (RejectedExecutionException stopping) {
      answerAtOnce(client, NOT_TAKEN);
      guestPhaseEnded(call.vmid());
    }
  }

  /** The guest's phase ended (it is about to answer): its next phase, if one waits, begins. */
  private void guestPhaseEnded(VmId vmid) {
    guests.ended(vmid).ifPresent(Runnable::run);
  }

  /** A peer whose credentials cannot be read is not the runtime's own user. */
  private boolean isOwnUser(SocketChannel client) {
    try {
      return sameUser(client);
    } catch (IOException unreadable) {
      return false;
    }
  }

  private void refuseOverQuota(SocketChannel client, PhaseCall call) {
    String answer =
        "L guesthook: error: VM "
            + call.vmid()
            + " has "
            + guests.perGuest()
            + " phases under way or"
            + " waiting already; this "
            + call.phase().wireName()
            + " is refused. Proxmox runs one phase of a guest at"
            + " a time: look for what else runs the hookscript\nX "
            + EXIT_REFUSED
            + "\n";
    answerAtOnce(client, answer);
    limitedLog.line(
        "quota",
        "guesthook serve: refused phases of VM "
            + call.vmid()
            + " beyond "
            + guests.perGuest()
            + " at once");
  }

  /**
   * Answered at once, with no phase (on the selector thread, or for a phase in its guest's line
   * when serve stops, on the thread that ended the one before it): the answer is a line or two,
   * which a new connection's socket buffer takes whole, and the connection is closed. The request
   * was read even from a peer that is refused, so this write never meets a closed socket.
   */
  private static void answerAtOnce(SocketChannel client, String answer) {
    try (client) {
      client.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      // The peer went away; nothing to answer.
    }
  }

  private static boolean hasWholeLine(ByteBuffer request) {
    for (int i = 0; i < request.position(); i++) {
      if (request.get(i) == '\n') {
        return true;
      }
    }
    return !request.hasRemaining();
  }

  /** The first line, at most a few hundred characters: anything longer is not a request. */
  private static String requestLine(ByteBuffer request) {
    String text =
        new String(
            request.array(),
            0,
            Math.min(request.position(), MAX_REQUEST_BYTES),
            StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline);
  }

  private void dropExpired() {
    long now = System.nanoTime();
    Iterator<Map.Entry<SocketChannel, Waiting>> entries = waiting.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<SocketChannel, Waiting> entry = entries.next();
      if (now - entry.getValue().deadline >= 0) {
        entries.remove();
        notTaken(entry.getKey());
        limitedLog.line(
            "timeout",
            "guesthook serve: dropped a connection that sent no request within "
                + REQUEST_TIMEOUT.toSeconds()
                + " s");
      }
    }
  }

  /**
   * Tells a peer whose request was never read that nothing ran, then closes it. Its socket is new
   * and non-blocking: two bytes always fit, and a peer that is gone only fails this write.
   */
  private static void notTaken(SocketChannel client) {
    answerAtOnce(client, NOT_TAKEN);
  }

  private void dropOldest(String why) {
    Iterator<SocketChannel> oldest = waiting.keySet().iterator();
    SocketChannel client = oldest.next();
    oldest.remove();
    limitedLog.line(
        "dropped",
        "guesthook serve: dropped the oldest connection that sent no request (" + why + ")");
    notTaken(client);
  }

  /**
   * Until the first waiting peer's deadline or the end of an accept pause; 0 is select's "no
   * limit".
   */
  private long nextWakeMillis() {
    long now = System.nanoTime();
    long until = Long.MAX_VALUE;
    if (!waiting.isEmpty()) {
      until = waiting.values().iterator().next().deadline;
    }
    SelectionKey key = server.keyFor(selector);
    if (key != null && key.isValid() && key.interestOps() == 0) {
      until = Math.min(until, acceptPausedUntil);
    }
    return until == Long.MAX_VALUE
        ? 0
        : Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - now) + 1);
  }

  private static void closeQuietly(SocketChannel client) {
    try {
      client.close();
    } catch (IOException e) {
      // Gone already.
    }
  }

  /**
   * Starts the phase; its answer is written by the thread that ends it. {@code phaseEnded} begins
   * the guest's next phase, if one waits, before the exit line: the caller's next phase finds the
   * guest's place free.
   */
  private void start(SocketChannel client, PhaseCall call, Runnable phaseEnded) {
    Answer answer;
    try {
      answer = new Answer(client, answerStall); // the phase's lines are written as they come
    } catch (IOException gone) {
      phaseEnded.run();
      closeQuietly(client);
      slots.ended();
      return;
    }
    runner
        .startOrFail(call, answer.out)
        .whenComplete((exit, failure) -> finish(answer, exit, failure, phaseEnded));
  }

  private void finish(Answer answer, Integer exit, Throwable failure, Runnable phaseEnded) {
    try {
      phaseEnded.run();
      answer.end(failure == null ? exit : internalError(answer.out, failure));
    } catch (IOException e) {
      limitedLog.line("gone", "guesthook serve: a client went away: " + e.getMessage());
    } finally {
      answer.close();
      afterAnswer();
      slots.ended();
    }
  }

  private static int internalError(PrintStream out, Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    out.println("guesthook: internal error: " + cause);
    return ExitCodes.INTERNAL;
  }

  /** A phase's answer: its task-log lines as they come, then the exit line. */
  private static final class Answer {
    final SocketChannel client;
    final ClientOutput toClient;
    final OutputStream raw;
    final PrintStream out;

    Answer(SocketChannel client, Duration stall) throws IOException {
      this.client = client;
      this.toClient = new ClientOutput(client, stall);
      // Buffered: the client's stream is one write(2) per call, and the prefixing stream is fed a
      // byte at a time; the autoflushing PrintStream still sends every line as it comes, for the
      // task log.
      this.raw = new BufferedOutputStream(toClient, 8192);
      this.out = new PrintStream(new LinePrefixingStream(raw), true, StandardCharsets.UTF_8);
    }

    void close() {
      closeQuietly(client);
      try {
        toClient.close();
      } catch (IOException e) {
        // Only its selector: nothing left to send.
      }
    }

    void end(int exit) throws IOException {
      out.flush();
      raw.write(("X " + exit + "\n").getBytes(StandardCharsets.UTF_8));
      raw.flush();
    }
  }

  private void afterAnswer() {
    try {
      answered.run();
    } catch (RuntimeException e) {
      limitedLog.line("after", "guesthook serve: work after an answer failed: " + e);
    }
  }

  /** Only the runtime's own user (root on a node) may ask it to act on the host. */
  private boolean sameUser(SocketChannel client) throws IOException {
    UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
    return peer.user().getName().equals(ownUser());
  }

  /** The process's user does not change while it runs: looked up (stat and passwd) once. */
  private String ownUser() throws IOException {
    String me = ownUser;
    if (me == null) {
      me = Files.getOwner(Path.of("/proc/self")).getName();
      ownUser = me;
    }
    return me;
  }

  @Override
  public void close() throws IOException {
    if (server != null) {
      stopping = true;
      selector.wakeup();
      try {
        acceptor.join(TimeUnit.SECONDS.toMillis(5)); // it starts no more phases
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server.close(); // the selector thread closed it, unless it did not end in time
    }
    slots.close();
    try {
      slots.awaitIdle(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    removeOwnSocket();
  }

  /**
   * Why a runtime may not start on the socket: another answers there. Replacing its file would
   * leave it running unreachable, and the node with two runtimes; a file nobody answers on was left
   * by one that was killed.
   */
  public static Optional<String> refusal(Path socket) {
    if (!answers(socket)) {
      return Optional.empty();
    }
    return Optional.of(
        "another guesthook serve is listening on "
            + socket
            + "; stop it first (systemctl stop guesthook), or give this one another --socket");
  }

  private static boolean answers(Path socket) {
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
      return true;
    } catch (IOException nobodyAnswers) {
      return false;
    }
  }

  /**
   * Removes the socket file only if it is still the one this runtime bound: a runtime started
   * meanwhile on the same path (after this one's file was removed) keeps its own.
   */
  private void removeOwnSocket() throws IOException {
    if (boundFile != null && boundFile.equals(fileKey(socket))) {
      Files.deleteIfExists(socket);
    }
  }

  private static Object fileKey(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (IOException gone) {
      return null;
    }
  }
}
