package dev.guesthook.host.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.guesthook.host.HostPath;
import dev.guesthook.id.PciAddress;
import dev.guesthook.sandbox.Sandbox;
import dev.guesthook.sandbox.SandboxProfile;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code Faults.powerState}: a function stuck in a power state shows it in {@code power_state},
 * which stays read-only, until a driver's probe or remove sets it again as the kernel's do.
 */
class PowerStateFaultTest {
  static final PciAddress GPU = PciAddress.parse("0000:0b:00.0");
  static final HostPath POWER = HostPath.parse("/sys/bus/pci/devices/0000:0b:00.0/power_state");

  @TempDir Path root;
  SimulatedHost host;

  @BeforeEach
  void radeon() throws Exception {
    Sandbox.create(root, SandboxProfile.GPU_PASSTHROUGH);
    host = SimulatedHost.sandbox(root);
  }

  @Test
  void aStuckStateIsWhatPowerStateShows() {
    host.faults().powerState(GPU, "D3cold");
    assertEquals("D3cold", host.read(POWER).trim());
    host.faults().powerState(GPU, "error");
    assertEquals("error", host.read(POWER).trim());
  }

  @Test
  void aDriverBindSetsItAgain() {
    host.faults().powerState(GPU, "D3cold");
    host.write(HostPath.parse("/sys/bus/pci/drivers/amdgpu/unbind"), GPU.value());
    assertEquals("D0", host.read(POWER).trim());
  }

  @Test
  void onlyTheKernelsNamesAndExistingDevicesAreTaken() {
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> host.faults().powerState(GPU, "D4"));
    assertTrue(unknown.getMessage().contains("D3cold"), unknown.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> host.faults().powerState(PciAddress.parse("0000:42:00.0"), "D3cold"));
  }
}
