package dev.guesthook.host.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.host.KernelWrites;
import dev.guesthook.host.WedgedDevices;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulator's hang: the write's own thread ignores interrupts, as D state does, so only the
 * abandon path frees its caller; released, the write lands late, as a kernel write that finally
 * returns, and the mark stays until a person clears it.
 */
class HangFaultTest {
  static final PciAddress GPU = PciAddress.parse("0000:0b:00.0");
  static final HostPath UNBIND = HostPath.parse("/sys/bus/pci/drivers/amdgpu/unbind");

  @TempDir Path root;

  @Test
  void aHungWriteHoldsOnlyItsOwnThreadAndLandsWhenReleased() throws Exception {
    Sandbox.create(root, SandboxProfile.GPU_PASSTHROUGH);
    SimulatedHost host = SimulatedHost.sandbox(root);
    host.faults().hangWrite(UNBIND.toString(), 1);
    AtomicReference<Thread> caller = new AtomicReference<>();
    AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
    CompletableFuture<HostException> failed =
        CompletableFuture.supplyAsync(
            () -> {
              caller.set(Thread.currentThread());
              HostException e =
                  assertThrows(HostException.class, () -> host.write(UNBIND, GPU.value()));
              interruptedAfter.set(Thread.currentThread().isInterrupted());
              return e;
            });
    Optional<String> stuck = Optional.empty();
    while (stuck.isEmpty()) {
      Thread.sleep(20);
      stuck = Optional.ofNullable(caller.get()).flatMap(KernelWrites::abandonOn);
    }
    assertEquals("ECANCELED", failed.get(5, TimeUnit.SECONDS).errno());
    // Not by an interrupt: a pool worker's, sent as the thread left the write, carried into
    // another guest's task (adversary pass).
    assertEquals(false, interruptedAfter.get(), "the caller freed without an interrupt");
    assertTrue(host.sysfs().hasDevice(GPU));
    assertEquals("amdgpu", driverOf(host));

    host.faults().releaseHangs();
    for (int i = 0; i < 100 && driverOf(host).equals("amdgpu"); i++) {
      Thread.sleep(20);
    }

    assertEquals("none", driverOf(host), "the unbind landed once the kernel let go");
    assertTrue(new WedgedDevices(host).find(GPU.value()).isPresent(), "the mark stays");
  }

  private static String driverOf(SimulatedHost host) {
    return host.readLink(HostPath.parse("/sys/bus/pci/devices/" + GPU.value() + "/driver"))
        .map(HostPath::name)
        .orElse("none");
  }

  /**
   * A delayed write holds up its own writer only: the delay ran inside the simulator's lock, so a
   * slow write of one device (a thread a hook left running) held every other write of the process,
   * a rollback's undo steps too, which then timed out (adversary pass).
   */
  @Test
  void aDelayedWriteHoldsUpNoOtherWrite() throws Exception {
    Sandbox.create(root, SandboxProfile.SRIOV_NIC);
    SimulatedHost host = SimulatedHost.sandbox(root);
    HostPath slow = HostPath.parse("/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs");
    HostPath other = HostPath.parse("/sys/bus/pci/devices/0000:03:00.0/reset_method");
    host.faults().delayWrite(slow.toString(), 2_000, 1);
    CompletableFuture<Void> delayed = CompletableFuture.runAsync(() -> host.write(slow, "2"));
    Thread.sleep(200); // the delayed write is waiting
    long start = System.nanoTime();
    host.write(other, host.read(other).trim());
    long tookMillis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(tookMillis < 1_000, "another write waited " + tookMillis + " ms");
    delayed.get(5, TimeUnit.SECONDS);
  }
}
