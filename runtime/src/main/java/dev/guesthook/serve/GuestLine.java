package dev.guesthook.serve;

import dev.guesthook.id.VmId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Each guest's phases in the order they came, one at a time. Proxmox runs one phase of a guest at a
 * time, and a second may wait for it (a start right after a stop); more are a misbehaving caller,
 * refused, since each would wait as long as the guest's lock can be held. A waiting phase holds no
 * slot and no thread: it is started when the one before it ends, so it also cannot overtake it on
 * the way to the guest's lock (with both in serve's line for a slot, a later post-stop reached the
 * lock first for 12-16 of 100 guests).
 */
final class GuestLine {
  /** What became of a phase that came. */
  enum Entry {
    /** The guest had none: start it now. */
    NOW,
    /** Started when the guest's phase before it ends. */
    IN_LINE,
    /** The guest holds its places already: refuse it. */
    FULL
  }

  private final int perGuest;

  /** Of each guest with a phase under way: the phases waiting behind it, first to start first. */
  private final Map<VmId, Deque<Runnable>> waiting = new HashMap<>();

  GuestLine(int perGuest) {
    this.perGuest = perGuest;
  }

  int perGuest() {
    return perGuest;
  }

  /** A phase of the guest came; {@code start} is run by {@link #ended} when it is in line. */
  synchronized Entry enter(VmId vmid, Runnable start) {
    Deque<Runnable> behind = waiting.get(vmid);
    if (behind == null) {
      waiting.put(vmid, new ArrayDeque<>());
      return Entry.NOW;
    }
    if (1 + behind.size() >= perGuest) {
      return Entry.FULL;
    }
    behind.add(start);
    return Entry.IN_LINE;
  }

  /** The guest's phase under way ended: the next in line, now under way, or none. */
  synchronized Optional<Runnable> ended(VmId vmid) {
    Deque<Runnable> behind = waiting.get(vmid);
    if (behind == null) {
      return Optional.empty();
    }
    Runnable next = behind.poll();
    if (next == null) {
      waiting.remove(vmid);
    }
    return Optional.ofNullable(next);
  }
}
