package dev.guesthook.host;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The watchdog for kernel writes that hang. A {@link RiskyWrite} is made where its caller can leave
 * it (a helper process on a node, a thread in the simulator) and waited for with a deadline; a
 * write that has not returned by then, or whose caller is interrupted or given up on (a hook at its
 * timeout), is abandoned: its caller gets an errno at once, and its device is marked wedged ({@link
 * WedgedDevices}), so no later write to it, from any process, is sent into the same hang. Every
 * other write is made in-process, as is a risky write of an empty value: sysfs passes a zero-length
 * write to no store ({@code sysfs_kf_write}), so it cannot wait on a device.
 *
 * <p>One piece for the real host and the simulator: only how a write is started differs ({@link
 * Writer}).
 */
public final class KernelWrites {
  /**
   * Past any hook's default timeout (30 s), so inside a hook the hook's own timeout decides; it
   * bounds the writes nothing else watches (a reconcile). A driver's unbind that takes this long
   * waits for something that is not coming (a device held by a dead user, a firmware that stopped).
   */
  public static final Duration DEADLINE = Duration.ofSeconds(60);

  /** Starts one write where its caller can leave it. */
  @FunctionalInterface
  public interface Writer {
    PendingWrite start(RiskyWrite write);
  }

  /** A write under way in a helper process or thread. */
  public interface PendingWrite {
    /** Waits up to {@code nanos} for the write to end; true when it has. */
    boolean await(long nanos) throws InterruptedException;

    /** True once the write ended, without waiting. */
    boolean done();

    /** Once ended: returns when the kernel took the write, else throws its errno. */
    void result();

    /**
     * Gives up on it: a helper is killed if it can be (one inside the kernel stays until the write
     * returns).
     */
    void abandon();

    /** What holds the write, for the mark: {@code dd pid 4242}, a simulator's thread. */
    String holder();

    long pid();
  }

  /** The write each thread waits in, so the dispatcher can give up on it with the hook. */
  private static final Map<Thread, InFlight> WAITING = new ConcurrentHashMap<>();

  private final WedgedDevices wedged;
  private final Writer writer;
  private final Duration deadline;
  private final Clock clock;

  public KernelWrites(HostFiles marks, Writer writer, Duration deadline, Clock clock) {
    this.wedged = new WedgedDevices(marks);
    this.writer = writer;
    this.deadline = deadline;
    this.clock = clock;
  }

  public KernelWrites(HostFiles marks, Writer writer) {
    this(marks, writer, DEADLINE, Clock.systemUTC());
  }

  /**
   * Writes {@code value} to {@code path}: a risky write through the writer under the deadline (and
   * refused with ENOTRECOVERABLE, nothing written, when its device is marked wedged), any other by
   * {@code inProcess}.
   *
   * @throws HostException ETIMEDOUT when the write outlived the deadline, ECANCELED when the caller
   *     was interrupted or its call given up on (its hook's timeout) first; either way the device
   *     is then wedged, unless the caller was stopped before the write began (nothing written)
   */
  public void write(HostPath path, String value, Runnable inProcess) {
    Optional<RiskyWrite> risky = value.isEmpty() ? Optional.empty() : RiskyWrite.of(path, value);
    if (risky.isEmpty()) {
      inProcess.run();
      return;
    }
    RiskyWrite write = risky.get();
    Optional<Wedge> mark = wedged.find(write.device());
    if (mark.isPresent()) {
      throw new HostException("ENOTRECOVERABLE", mark.get().refusal(write));
    }
    if (Thread.currentThread().isInterrupted() || CallsGivenUp.ofCurrentThread()) {
      // Told to stop before the write began: nothing is started, so nothing can be stuck (started,
      // it was given up on at once and its healthy device marked wedged: adversary pass).
      throw new HostException(
          "ECANCELED",
          path + ": the caller was interrupted or given up on before the write; nothing written");
    }
    PendingWrite pending = writer.start(write);
    Optional<HostPath> note =
        wedged.noteWriting(WriteIntent.of(write, now(), pending.holder(), pending.pid()));
    try {
      waitFor(new InFlight(write, pending));
    } finally {
      wedged.doneWriting(note);
    }
  }

  private Instant now() {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS);
  }

  /**
   * Waits for the write, in slices: it ends when the write returns, at the deadline, or as soon as
   * the caller's call or the write itself is given up on ({@link CallsGivenUp}, {@link
   * #abandonOn}), with no interrupt needed.
   */
  private void waitFor(InFlight flight) {
    Thread caller = Thread.currentThread();
    WAITING.put(caller, flight);
    try {
      CallsGivenUp.Ended how =
          CallsGivenUp.await(
              nanos -> flight.pending.await(nanos) || flight.isGivenUp(), deadline.toNanos());
      if (how == CallsGivenUp.Ended.TIMED_OUT) {
        throw new HostException(
            "ETIMEDOUT",
            flight.write.path()
                + ": no answer within "
                + deadline.toSeconds()
                + " s; "
                + flight.giveUp());
      }
      returnedOrCancelled(flight); // it returned, or the caller's call was given up on
    } catch (InterruptedException e) {
      caller.interrupt(); // whoever interrupted still wants the caller to stop
      returnedOrCancelled(flight);
    } finally {
      WAITING.remove(caller, flight);
    }
  }

  /**
   * The write's result if it returned before anyone gave up on it (the give-up, or the interrupt,
   * came just after the write); else ECANCELED, the write given up on and its device marked.
   */
  private static void returnedOrCancelled(InFlight flight) {
    if (flight.pending.done() && flight.ended()) {
      flight.pending.result();
      return;
    }
    throw cancelled(flight);
  }

  /** ECANCELED: the caller was given up on (its hook timed out), not the write's own deadline. */
  private static HostException cancelled(InFlight flight) {
    return new HostException(
        "ECANCELED",
        flight.write.path() + ": the caller was given up on mid-write; " + flight.giveUp());
  }

  /**
   * Gives up on the risky write {@code thread} waits in, if any, and marks its device wedged before
   * returning, so nothing that runs after (a rollback's undo steps) writes to it again; the thread
   * sees it within a slice of its wait and fails with ECANCELED (a helper that cannot be killed, or
   * the simulator's thread, would not wake it). Not by an interrupt: a pool worker's, sent to a
   * thread that had just left the write, carried into another guest's task. What was given up on,
   * for the message of whoever gave up on the thread.
   */
  public static Optional<String> abandonOn(Thread thread) {
    InFlight flight = WAITING.get(thread);
    if (flight == null) {
      return Optional.empty();
    }
    return Optional.of(flight.giveUpIfPending());
  }

  /** One write and whether it ended or was given up on; exactly one of the two happens. */
  private final class InFlight {
    private final RiskyWrite write;
    private final PendingWrite pending;
    private boolean ended;
    private String givenUp;

    InFlight(RiskyWrite write, PendingWrite pending) {
      this.write = write;
      this.pending = pending;
    }

    /** The write ended: true unless it had been given up on first. */
    synchronized boolean ended() {
      ended = givenUp == null;
      return ended;
    }

    synchronized boolean isGivenUp() {
      return givenUp != null;
    }

    synchronized String giveUpIfPending() {
      return ended || (givenUp == null && pending.done())
          ? "the kernel write " + write.describe() + " had just returned"
          : giveUp();
    }

    /** Abandons the write and marks its device, once; what happened, for messages. */
    synchronized String giveUp() {
      if (givenUp == null) {
        pending.abandon();
        givenUp = "stuck in kernel write " + write.describe() + "; given up: " + mark();
      }
      return givenUp;
    }

    private String mark() {
      Wedge wedge =
          new Wedge(
              write.device(),
              write.path().toString(),
              write.value(),
              now().toString(),
              pending.holder(),
              pending.pid());
      try {
        wedged.mark(wedge);
        return "device "
            + write.device()
            + " is marked wedged ("
            + wedge.holder()
            + " still holds it). Fix: "
            + wedge.fix();
      } catch (RuntimeException e) {
        return "device "
            + write.device()
            + " could not be marked wedged ("
            + e.getMessage()
            + "); do not use it before `dmesg` says it is back";
      }
    }
  }
}
