package dev.guesthook.host.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.devices.DeviceException;
import dev.guesthook.devices.PciDevices;
import dev.guesthook.host.HostException;
import dev.guesthook.host.HostPath;
import dev.guesthook.id.DriverName;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host driver that takes a device late (a deferred or asynchronous probe) or never: what the
 * simulated kernel answers through {@code drivers_probe} and a driver's {@code bind}, and what a
 * hand-back with a bounded wait makes of it.
 */
class ProbeFaultTest {
  static final PciAddress GPU = PciAddress.parse("0000:0b:00.0");
  static final DriverName AMDGPU = new DriverName("amdgpu");

  @TempDir Path root;
  SimulatedHost host;
  PciDevices pci;

  @BeforeEach
  void onVfio() throws Exception {
    Sandbox.create(root, SandboxProfile.GPU_PASSTHROUGH);
    host = SimulatedHost.sandbox(root);
    pci = new PciDevices(host);
    pci.bind(GPU, DriverName.VFIO_PCI);
  }

  @Test
  void aLateProbeBindsAfterItsDelayAndTheHandBackWaitsForIt() {
    host.faults().probeLate(GPU, AMDGPU, 300);
    long started = System.nanoTime();
    pci.release(GPU, AMDGPU, Duration.ofSeconds(5));
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertEquals("amdgpu", driver());
    assertTrue(tookMillis >= 300 && tookMillis < 5000, "waited for the late probe: " + tookMillis);
  }

  @Test
  void aLateProbeThroughBindIsEagain() throws Exception {
    host.write(HostPath.parse("/sys/bus/pci/drivers/vfio-pci/unbind"), GPU.value());
    host.write(HostPath.parse("/sys/bus/pci/devices/0000:0b:00.0/driver_override"), "\n");
    host.faults().probeLate(GPU, AMDGPU, 100);
    HostException deferred =
        assertThrows(
            HostException.class,
            () -> host.write(HostPath.parse("/sys/bus/pci/drivers/amdgpu/bind"), GPU.value()));
    assertEquals("EAGAIN", deferred.errno());
    assertEquals("none", driver());
  }

  @Test
  void aRefusingDriverLeavesTheDeviceOnVfioAfterTheWaitWithoutARetry() {
    host.faults().probeRefuses(GPU, AMDGPU);
    DeviceException failed =
        assertThrows(DeviceException.class, () -> pci.release(GPU, AMDGPU, Duration.ofMillis(200)));
    assertEquals(
        "0000:0b:00.0: amdgpu did not take the device within 200 ms after drivers_probe"
            + " (it has no driver)",
        failed.getMessage());
    assertEquals("vfio-pci", driver(), "put back on the driver it had");
    assertEquals("vfio-pci", pci.driverOverride(GPU));
    HostException throughBind =
        assertThrows(
            HostException.class,
            () -> {
              host.write(HostPath.parse("/sys/bus/pci/drivers/vfio-pci/unbind"), GPU.value());
              host.write(HostPath.parse("/sys/bus/pci/devices/0000:0b:00.0/driver_override"), "\n");
              host.write(HostPath.parse("/sys/bus/pci/drivers/amdgpu/bind"), GPU.value());
            });
    assertEquals("EIO", throughBind.errno());
  }

  @Test
  void aLateProbeFindsTheDeviceTakenMeanwhileAndLeavesIt() throws Exception {
    host.faults().probeLate(GPU, AMDGPU, 200);
    assertThrows(DeviceException.class, () -> pci.release(GPU, AMDGPU, Duration.ZERO));
    assertEquals("vfio-pci", driver());
    Thread.sleep(250);
    assertEquals("vfio-pci", driver(), "vfio-pci's override and binding stand");
  }

  private String driver() {
    return pci.driver(GPU).map(DriverName::value).orElse("none");
  }
}
