package dev.guesthook.serve;

import dev.guesthook.id.VmId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many phases of each guest the runtime holds at once, running or waiting for the guest's lock.
 * Proxmox runs one phase of a guest at a time, and a second may wait for it (a start right after a
 * stop); more are a misbehaving caller, and each would hold a worker for as long as the guest's
 * lock can be held, taking them from other guests' phases.
 */
final class GuestQuota {
  private final int perGuest;
  private final Map<VmId, Integer> held = new ConcurrentHashMap<>();

  GuestQuota(int perGuest) {
    this.perGuest = perGuest;
  }

  int perGuest() {
    return perGuest;
  }

  /** Takes a place for one more phase of the guest; false when it has all its places already. */
  boolean tryTake(VmId vmid) {
    boolean[] taken = {false};
    held.compute(
        vmid,
        (id, count) -> {
          int now = count == null ? 0 : count;
          taken[0] = now < perGuest;
          return taken[0] ? now + 1 : now;
        });
    return taken[0];
  }

  /** Gives back a place {@link #tryTake} took. */
  void giveBack(VmId vmid) {
    held.computeIfPresent(vmid, (id, count) -> count <= 1 ? null : count - 1);
  }
}
