package dev.guesthook.host;

import java.time.Instant;
import java.util.Optional;

/**
 * A risky write under way, noted beside the wedge marks as it starts and taken away when it ends or
 * is marked: if the process that waits for it dies (kill -9, the OOM killer) while the kernel holds
 * the write, the note is what is left to tell the next process. Which process waits and which holds
 * the write are each named by pid and start time, so a pid the kernel gave to another process since
 * is not taken for them.
 *
 * @param since when the write started, ISO-8601 UTC
 * @param holder what holds the write, as a mark names it ({@code dd pid 4242})
 * @param holderPid the helper's pid; the caller's own for the simulator's thread
 */
public record WriteIntent(
    String device,
    String path,
    String value,
    String since,
    String holder,
    long holderPid,
    long holderStart,
    long callerPid,
    long callerStart) {

  /** A write {@code holder} makes for this process. */
  static WriteIntent of(RiskyWrite write, Instant since, String holder, long holderPid) {
    ProcessHandle self = ProcessHandle.current();
    return new WriteIntent(
        write.device(),
        write.path().toString(),
        write.value(),
        since.toString(),
        holder,
        holderPid,
        ProcessHandle.of(holderPid).map(WriteIntent::startOf).orElse(0L),
        self.pid(),
        startOf(self));
  }

  /** The caller still waits for it: the write is under way, not left behind. */
  boolean callerAlive() {
    return alive(callerPid, callerStart);
  }

  /** The process the write is stuck in is still there: the kernel has not returned. */
  boolean holderAlive() {
    return alive(holderPid, holderStart);
  }

  /** The mark for a write whose caller died while the kernel still held it. */
  Wedge orphaned() {
    return new Wedge(
        device,
        path,
        value,
        since,
        holder + "; guesthook pid " + callerPid + ", which waited for it, ended without it",
        holderPid);
  }

  private static boolean alive(long pid, long start) {
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    return process.isPresent() && process.get().isAlive() && startOf(process.get()) == start;
  }

  /** Start time in ms; 0 when the system does not say (then the pid alone decides). */
  private static long startOf(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }
}
