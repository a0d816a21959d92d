package dev.guesthook.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.real.LinuxHost;
import dev.guesthook.id.PciAddress;
import dev.guesthook.id.VmId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * qemu-server's PCI reservations: what holds, and that they are read under qemu-server's own lock.
 */
class PciReservationsTest {
  @TempDir Path root;

  @Test
  void timeReservationsHoldUntilTheirDeadlineAndPidOnesWhileTheProcessLives() throws Exception {
    write(
        """
        0000:03:02.1 501 time:2000000000
        0000:03:02.2 502 time:1000000000
        0000:0b:00.0 601 pid:4242
        0000:0b:00.1 601 pid:4343
        not a reservation
        """);
    Files.createDirectories(root.resolve("proc/4242"));
    Map<PciAddress, VmId> active =
        new Pve(new LinuxHost(root)).pciReservations(Instant.ofEpochSecond(1_500_000_000));
    assertEquals(
        Map.of(
            PciAddress.parse("03:02.1"),
            VmId.parse("501"),
            PciAddress.parse("0b:00.0"),
            VmId.parse("601")),
        active);
  }

  @Test
  void aReadWaitsWhileQemuServerHoldsItsLock() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/flock")),
        "needs util-linux flock(1): apt-get install util-linux");
    write("0000:03:02.1 501 time:2000000000\n");
    Path lock = root.resolve("run/qemu-server/pci-id-reservations.lock");
    // What PVE::Tools::lock_file does while qemu-server rewrites the file: an exclusive flock(2).
    Process holder =
        new ProcessBuilder("flock", "--exclusive", lock.toString(), "sleep", "1.5").start();
    while (new ProcessBuilder("flock", "--nonblock", lock.toString(), "true").start().waitFor()
        == 0) {
      Thread.sleep(10);
    }
    long began = System.nanoTime();
    Map<PciAddress, VmId> active =
        new Pve(new LinuxHost(root)).pciReservations(Instant.ofEpochSecond(1_500_000_000));
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    assertTrue(holder.waitFor(10, TimeUnit.SECONDS));
    assertEquals(Map.of(PciAddress.parse("03:02.1"), VmId.parse("501")), active);
    assertTrue(
        waitedMillis >= 500, "the read waited for the lock; it took " + waitedMillis + " ms");
  }

  private void write(String reservations) throws Exception {
    Files.createDirectories(root.resolve("run/qemu-server"));
    Files.writeString(root.resolve("run/qemu-server/pci-id-reservations"), reservations);
  }
}
