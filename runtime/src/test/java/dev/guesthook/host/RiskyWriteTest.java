package dev.guesthook.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which sysfs writes can wait on a device, and which device a hang of each would wedge. */
class RiskyWriteTest {
  @Test
  void writesThatCanBlockOnADeviceNameTheirDevice() {
    assertEquals(
        Optional.of("0000:0b:00.0"), device("/sys/bus/pci/drivers/amdgpu/unbind", "0000:0b:00.0"));
    assertEquals(
        Optional.of("0000:0b:00.0"), device("/sys/bus/pci/drivers/vfio-pci/bind", "0b:00.0"));
    assertEquals(Optional.of("0000:0b:00.0"), device("/sys/bus/pci/drivers_probe", "0000:0b:00.0"));
    assertEquals(
        Optional.of("0000:0b:00.0"), device("/sys/bus/pci/devices/0000:0b:00.0/reset", "1"));
    assertEquals(
        Optional.of("0000:0b:00.0"), device("/sys/bus/pci/devices/0000:0b:00.0/remove", "1"));
    assertEquals(
        Optional.of("0000:0b:00.0"),
        device("/sys/bus/pci/devices/0000:0b:00.0/driver_override", "vfio-pci"));
    assertEquals(
        Optional.of("0000:03:00.0"), device("/sys/bus/pci/devices/0000:03:00.0/sriov_numvfs", "4"));
    assertEquals(
        Optional.of("0000:00:02.0"),
        device(
            "/sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create",
            "00001000-0000-0000-0000-000000000702"));
    assertEquals(
        Optional.of("00001000-0000-0000-0000-000000000702"),
        device("/sys/bus/mdev/devices/00001000-0000-0000-0000-000000000702/remove", "1"));
    assertEquals(
        Optional.of("driver vfio-pci"),
        device("/sys/bus/pci/drivers/vfio-pci/new_id", "1002 73bf"));
  }

  /**
   * Through the canonical paths ({@code readlink -f} of the bus's links), where bridges and the
   * root bus come first: the device is the last one named. Before, a hang there marked
   * "pci0000:00", so the GPU itself was written to again, and the mark could not be cleared by
   * name.
   */
  @Test
  void writesThroughCanonicalPathsNameTheDeviceNotItsBridgeOrBus() {
    assertEquals(
        Optional.of("0000:0b:00.0"),
        device("/sys/devices/pci0000:00/0000:0b:00.0/driver_override", "vfio-pci"));
    assertEquals(
        Optional.of("0000:03:00.0"),
        device("/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0/remove", "1"));
    assertEquals(
        Optional.of("0000:00:02.0"),
        device(
            "/sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create",
            "00001000-0000-0000-0000-000000000702"));
    assertEquals(
        Optional.of("00001000-0000-0000-0000-000000000702"),
        device(
            "/sys/devices/pci0000:00/0000:00:02.0/00001000-0000-0000-0000-000000000702/remove",
            "1"));
  }

  @Test
  void otherWritesAreNotRisky() {
    assertEquals(
        Optional.empty(),
        device("/sys/bus/pci/devices/0000:03:02.1/nvidia/current_vgpu_type", "63"));
    assertEquals(Optional.empty(), device("/run/guesthook/state/601.json", "{}"));
    assertEquals(Optional.empty(), device("/etc/unbind", "0000:0b:00.0"));
  }

  private static Optional<String> device(String path, String value) {
    return RiskyWrite.of(HostPath.parse(path), value).map(RiskyWrite::device);
  }
}
