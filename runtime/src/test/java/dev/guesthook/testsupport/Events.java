package dev.guesthook.testsupport;

import dev.guesthook.core.event.Phase;
import dev.guesthook.guest.LifecycleEvent;
import dev.guesthook.guest.Situation;
import dev.guesthook.id.VmId;
import dev.guesthook.pve.GuestType;
import dev.guesthook.pve.PveFileException;
import dev.guesthook.pve.VmConfigParser;
import java.time.Instant;
import java.util.Optional;

/** Events for tests that hand hooks a phase without reading a guest's config from a host. */
public final class Events {
  private Events() {}

  /**
   * A phase of a plain VM ({@code memory: 512}) on node "pve", at the epoch, starting (not resuming
   * or migrating).
   */
  public static LifecycleEvent of(String vmid, Phase phase) throws PveFileException {
    return new LifecycleEvent(
        VmId.parse(vmid),
        phase,
        GuestType.QEMU,
        "pve",
        Instant.EPOCH,
        VmConfigParser.parse(vmid + ".conf", "memory: 512\n"),
        Situation.START,
        Optional.empty());
  }
}
